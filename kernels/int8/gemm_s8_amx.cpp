// The AMX variant: tdpbssd, a 16 x 16 block of int32 += (16 x 64 int8) * (64 x 16 int8)
// in one instruction (16384 multiply-adds), signed x signed, so no shift is needed. Sums
// are exact int32 (no saturation) as long as |C| < 2^31, which K <= 2^17 guarantees.
//
// Layout. Every operand tile is 16 rows of 64 bytes, stored contiguously (1 KiB), so a
// tile load reads one sequential KiB and a block's tiles form one sequential stream that
// the hardware prefetchers follow. B is packed once, per column block of 32 and per step
// of 64 k, as two tiles (columns 0-15, 16-31) in the "VNNI" order tdpbssd wants: tile row
// r holds k = 4r..4r+3 of each of its 16 columns. A is repacked per call, per row block of
// 32 and per step, as two tiles of 16 rows. Operands are padded with zeros to whole tiles
// (K to 64, M and N to 32), so one code path handles every shape; padding costs work only
// on tiny shapes, where AMX has throughput to spare.
//
// Blocking. C is accumulated 32 x 32 at a time in four tiles (two A tiles x two B tiles:
// with eight tile registers, the most that leaves room for the operands). A work item is
// one column block and up to four row blocks. K is taken in chunks of 512: the column
// block's 16 KiB of B for one chunk stays in L1 while the item's row blocks stream their A
// past it, so per four tdpbssd only A's 2 KiB come from L2. The item's accumulators
// (4 x 4 KiB) live in L1 between chunks. The previous version (one pass over all of K per
// 32 x 32 block, A read with a row stride of K) ran at 587 GOP/s on 1024^3 on a Sapphire
// Rapids core, a quarter of the instruction's measured peak: tile loads from L2 stalled it.
//
// The blocking is written against a tile "machine" (AmxTiles below); EmulatedTiles runs
// the same loop nest in plain C++, so tests check the packing and blocking on any CPU
// (gemm_s8_amx.h), and the AMX instructions themselves wherever the CPU has them.
//
// multiply_requantize requantizes each 32 x 32 block from its L1 accumulators as it copies
// it out (requantize_row_range), so C is written as int8 codes only.
//
// Each thread that runs tiles must load the tile configuration first; permission to use
// tile data comes from cpu_features (arch_prctl), asked for before the variant is offered.
#include "kernels/int8/gemm_s8_amx.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "kernels/int8/cpu_features.h"
#include "kernels/int8/for_each_block.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "kernels/int8/nibble_vectors.h"

namespace slim {
namespace {

constexpr std::string_view kName = "amx";
constexpr int64_t kTileRows = 16;
constexpr int64_t kTileBytes = 64;  // bytes per tile row
constexpr int64_t kTileSize = kTileRows * kTileBytes;
constexpr int64_t kDepthStep = kTileBytes;  // k per tile
constexpr int64_t kTileColumns = 16;        // int32 columns per C tile
constexpr int64_t kBlockRows = 2 * kTileRows;
constexpr int64_t kBlockColumns = 2 * kTileColumns;
constexpr int64_t kBlockTileBytes = 2 * kTileSize;  // one step of one block: two tiles
constexpr int64_t kChunkSteps = 8;                  // k per pass: 8 x 64 = 512
constexpr int64_t kItemRowBlocks = 4;               // row blocks per work item
constexpr int64_t kParallelMacs = int64_t{1} << 18;
// Products that AMX's padding would mostly waste go to the AVX-512 VNNI variant
// (PackedS8Weights::handoff). Measured on a Sapphire Rapids-class core (2026-11-27,
// results/baselines/h200-spr/bench_int8_gemm-{88854ea,83651a6}.json, best of two runs):
//  * fewer than 16 rows: AMX ran the zoo's Linear layers at batch 1 three times slower than
//    VNNI (one row padded to 32), and at batch 256 twice as fast;
//  * at most 16 columns: VNNI was faster on 5 of the 6 ten-output classifiers at batch 256
//    (1.1-1.5x; N = 10 pads to 32 columns), AMX 7% faster on the sixth;
//  * K at most 32: VNNI was faster on 7 of the 8 short-K convolutions in GEMM form
//    (1.1-1.5x; K pads to 64), AMX 7% faster on one.
// Only the zoo's shapes were measured (N = 10; K = 9, 16, 25, 32); a product with few
// columns but far more rows and depth than theirs might still favour AMX.
constexpr int64_t kHandoffRows = 16;
constexpr int64_t kHandoffColumns = 16;
constexpr int64_t kHandoffDepth = 32;
constexpr std::string_view kHandoffVariant = "avx512_vnni";
// Prefetch distance for A, in steps: far enough to cover an L2 hit.
constexpr int64_t kPrefetchSteps = 2;

bool hands_off(int64_t m, int64_t n, int64_t k) {
  return m < kHandoffRows || n <= kHandoffColumns || k <= kHandoffDepth;
}

int64_t round_up(int64_t value, int64_t step) {
  return (value + step - 1) / step * step;
}
int64_t depth_steps(int64_t k) {
  return round_up(k, kDepthStep) / kDepthStep;
}

// Intel SDM's 64-byte tile configuration, palette 1.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  std::array<uint8_t, 14> reserved{};
  std::array<uint16_t, 16> bytes_per_row{};
  std::array<uint8_t, 16> rows{};
};
static_assert(sizeof(TileConfig) == 64);

// Tiles 0-3: C; 4-5: A; 6-7: B. All are 16 rows of 64 bytes.
TileConfig full_tiles() {
  TileConfig config;
  for (int t = 0; t < 8; ++t) {
    config.bytes_per_row[static_cast<size_t>(t)] = kTileBytes;
    config.rows[static_cast<size_t>(t)] = kTileRows;
  }
  return config;
}

// The AMX instructions. GCC's tile intrinsics are macros that paste the tile number into
// the register name (%tmm0), so each tile an operation is used on needs its own literal
// call: the members are declared as templates and defined below for those tiles only.
struct AmxTiles {
  __attribute__((target("amx-tile"))) static void configure() {
    static const TileConfig config = full_tiles();
    _tile_loadconfig(&config);
  }
  __attribute__((target("amx-tile"))) static void release() { _tile_release(); }
  template <int T>
  static void zero();
  template <int T>
  static void load(const void* p, int64_t stride);
  template <int T>
  static void store(void* p, int64_t stride);
  template <int C, int A, int B>
  static void dot();
};

#define SLIM_AMX_TILE(T)                                                               \
  template <>                                                                          \
  __attribute__((target("amx-tile"), always_inline)) inline void AmxTiles::zero<T>() { \
    _tile_zero(T);                                                                     \
  }                                                                                    \
  template <>                                                                          \
  __attribute__((target("amx-tile"), always_inline)) inline void AmxTiles::load<T>(    \
      const void* p, int64_t stride) {                                                 \
    _tile_loadd(T, p, stride);                                                         \
  }                                                                                    \
  template <>                                                                          \
  __attribute__((target("amx-tile"), always_inline)) inline void AmxTiles::store<T>(   \
      void* p, int64_t stride) {                                                       \
    _tile_stored(T, p, stride);                                                        \
  }
SLIM_AMX_TILE(0)
SLIM_AMX_TILE(1)
SLIM_AMX_TILE(2)
SLIM_AMX_TILE(3)
SLIM_AMX_TILE(4)
SLIM_AMX_TILE(5)
SLIM_AMX_TILE(6)
SLIM_AMX_TILE(7)
#undef SLIM_AMX_TILE

#define SLIM_AMX_DOT(C, A, B)                                             \
  template <>                                                             \
  __attribute__((target("amx-tile,amx-int8"), always_inline)) inline void \
  AmxTiles::dot<C, A, B>() {                                              \
    _tile_dpbssd(C, A, B);                                                \
  }
SLIM_AMX_DOT(0, 4, 6)
SLIM_AMX_DOT(1, 4, 7)
SLIM_AMX_DOT(2, 5, 6)
SLIM_AMX_DOT(3, 5, 7)
#undef SLIM_AMX_DOT

// The same operations on eight 1 KiB arrays, per thread.
struct EmulatedTiles {
  using Tile = std::array<uint8_t, kTileSize>;
  static std::array<Tile, 8>& tiles() {
    thread_local std::array<Tile, 8> registers{};
    return registers;
  }
  static void configure() {}
  static void release() {}
  template <int T>
  static void zero() {
    tiles()[T].fill(0);
  }
  template <int T>
  static void load(const void* p, int64_t stride) {
    const auto* bytes = static_cast<const uint8_t*>(p);
    for (int64_t r = 0; r < kTileRows; ++r) {
      std::memcpy(tiles()[T].data() + r * kTileBytes, bytes + r * stride, kTileBytes);
    }
  }
  template <int T>
  static void store(void* p, int64_t stride) {
    auto* bytes = static_cast<uint8_t*>(p);
    for (int64_t r = 0; r < kTileRows; ++r) {
      std::memcpy(bytes + r * stride, tiles()[T].data() + r * kTileBytes, kTileBytes);
    }
  }
  // tdpbssd: C[i][j] += sum over r < 16, q < 4 of A[i][4r + q] * B[r][4j + q].
  template <int C, int A, int B>
  static void dot() {
    int32_t c[kTileRows][kTileColumns];
    std::memcpy(c, tiles()[C].data(), sizeof(c));
    const auto* a = reinterpret_cast<const int8_t*>(tiles()[A].data());
    const auto* b = reinterpret_cast<const int8_t*>(tiles()[B].data());
    for (int64_t i = 0; i < kTileRows; ++i) {
      for (int64_t j = 0; j < kTileColumns; ++j) {
        int32_t sum = c[i][j];
        for (int64_t r = 0; r < kTileRows; ++r) {
          for (int64_t q = 0; q < 4; ++q) {
            sum += int32_t{a[i * kTileBytes + 4 * r + q]} * int32_t{b[r * kTileBytes + 4 * j + q]};
          }
        }
        c[i][j] = sum;
      }
    }
    std::memcpy(tiles()[C].data(), c, sizeof(c));
  }
};

// B [n x k] -> per column block cb and step s, two tiles at (cb * steps + s) * 2 KiB:
// byte (r, 4 * column + q) of tile h holds b[32 cb + 16 h + column][64 s + 4 r + q].
// With `int4`, every 64-byte tile row is then halved into nibbles (nibble_vectors.h).
PackedS8Weights pack_tiles_as(int64_t n, int64_t k, const int8_t* b, bool int4) {
  PackedS8Weights packed;
  packed.n = n;
  packed.k = k;
  packed.kernel = kName;
  const int64_t steps = depth_steps(k);
  const int64_t column_blocks = round_up(n, kBlockColumns) / kBlockColumns;
  packed.data.assign(static_cast<size_t>(column_blocks * steps * kBlockTileBytes), 0);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t cb = j / kBlockColumns;
    const int64_t h = (j % kBlockColumns) / kTileColumns;
    const int64_t column = j % kTileColumns;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int64_t s = kk / kDepthStep;
      const int64_t r = (kk % kDepthStep) / 4;
      const int64_t offset =
          (cb * steps + s) * kBlockTileBytes + h * kTileSize + r * kTileBytes + column * 4 + kk % 4;
      packed.data[static_cast<size_t>(offset)] = b[j * k + kk];
    }
  }
  if (int4) {
    packed.data = pack_nibble_vectors(packed.data);
    packed.int4 = true;
  }
  const GemmS8Kernel& handoff = find_gemm_s8_kernel(kHandoffVariant);
  if (handoff.available()) {
    packed.handoff = std::make_shared<PackedS8Weights>(int4 ? handoff.pack_int4(n, k, b)
                                                            : handoff.pack(n, k, b));
  }
  return packed;
}

PackedS8Weights pack_tiles(int64_t n, int64_t k, const int8_t* b) {
  return pack_tiles_as(n, k, b, false);
}

// 4-bit weights: half the bytes at rest and through the VNNI handoff (batch 1); the tiles
// of a column block are unpacked once per thread before its work items run.
PackedS8Weights pack_tiles_int4(int64_t n, int64_t k, const int8_t* b) {
  check_int4_codes(kName, b, n * k);
  return pack_tiles_as(n, k, b, true);
}

// a [m x k] -> per row block rb and step s, two tiles at (rb * steps + s) * 2 KiB: row i
// of tile h holds a[32 rb + 16 h + i][64 s .. 64 s + 63]; zeros beyond m and k.
void pack_rows(int64_t m, int64_t k, int64_t row_blocks, const int8_t* a, int8_t* out) {
  const int64_t steps = depth_steps(k);
  std::fill(out, out + row_blocks * steps * kBlockTileBytes, int8_t{0});
  for (int64_t i = 0; i < m; ++i) {
    const int64_t rb = i / kBlockRows;
    const int64_t h = (i % kBlockRows) / kTileRows;
    const int64_t row = i % kTileRows;
    for (int64_t s = 0; s < steps; ++s) {
      const int64_t begin = s * kDepthStep;
      const int64_t count = std::min(kDepthStep, k - begin);
      int8_t* tile_row =
          out + (rb * steps + s) * kBlockTileBytes + h * kTileSize + row * kTileBytes;
      std::memcpy(tile_row, a + i * k + begin, static_cast<size_t>(count));
    }
  }
}

// Steps [first, last) of one 32 x 32 block into its accumulators `acc` (32 x 32 int32,
// row-major), which start at zero when `first` is 0.
template <class Tiles>
__attribute__((target("amx-tile,amx-int8"))) void accumulate_block(const int8_t* a_block,
                                                                   const int8_t* b_block,
                                                                   int64_t first, int64_t last,
                                                                   int32_t* acc) {
  constexpr int64_t stride = kBlockColumns * sizeof(int32_t);
  int32_t* lower = acc + kTileRows * kBlockColumns;
  if (first == 0) {
    Tiles::template zero<0>();
    Tiles::template zero<1>();
    Tiles::template zero<2>();
    Tiles::template zero<3>();
  } else {
    Tiles::template load<0>(acc, stride);
    Tiles::template load<1>(acc + kTileColumns, stride);
    Tiles::template load<2>(lower, stride);
    Tiles::template load<3>(lower + kTileColumns, stride);
  }
  for (int64_t s = first; s < last; ++s) {
    const int8_t* a = a_block + s * kBlockTileBytes;
    const int8_t* b = b_block + s * kBlockTileBytes;
    if (s + kPrefetchSteps < last) {
      const int8_t* ahead = a + kPrefetchSteps * kBlockTileBytes;
      for (int64_t line = 0; line < kBlockTileBytes; line += 64) {
        _mm_prefetch(reinterpret_cast<const char*>(ahead + line), _MM_HINT_T0);
      }
    }
    // Tile registers are not renamed: a load waits for the products still reading its
    // tile. Each product is issued as soon as its operands are in, so the next step's
    // first loads overlap this step's last products.
    Tiles::template load<4>(a, kTileBytes);
    Tiles::template load<6>(b, kTileBytes);
    Tiles::template dot<0, 4, 6>();
    Tiles::template load<7>(b + kTileSize, kTileBytes);
    Tiles::template dot<1, 4, 7>();
    Tiles::template load<5>(a + kTileSize, kTileBytes);
    Tiles::template dot<2, 5, 6>();
    Tiles::template dot<3, 5, 7>();
  }
  Tiles::template store<0>(acc, stride);
  Tiles::template store<1>(acc + kTileColumns, stride);
  Tiles::template store<2>(lower, stride);
  Tiles::template store<3>(lower + kTileColumns, stride);
}

// Where a product's result goes: int32 C, or int8 codes requantized column by column.
struct Output {
  int32_t* c = nullptr;
  const RowRequantization* requantization = nullptr;
  int8_t* codes = nullptr;
};

// Copies rows of one block's accumulators (row stride kBlockColumns) to the output at
// (row0, col0), requantizing them if asked.
void copy_out(const int32_t* acc, int64_t n, int64_t row0, int64_t rows, int64_t col0,
              int64_t columns, const Output& out) {
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t* from = acc + r * kBlockColumns;
    const int64_t at = (row0 + r) * n + col0;
    if (out.requantization == nullptr) {
      std::memcpy(out.c + at, from, static_cast<size_t>(columns) * sizeof(int32_t));
    } else {
      requantize_row_range(*out.requantization, col0, columns, from, out.codes + at);
    }
  }
}

// One work item: column block cb (its tiles at b_block), row blocks [rb0, rb1); writes its
// part of the output.
template <class Tiles>
void multiply_item(int64_t m, int64_t n, int64_t steps, const int8_t* a_tiles,
                   const int8_t* b_block, int64_t cb, int64_t rb0, int64_t rb1, const Output& out) {
  alignas(64) int32_t acc[kItemRowBlocks][kBlockRows * kBlockColumns];
  for (int64_t first = 0; first < steps; first += kChunkSteps) {
    const int64_t last = std::min(steps, first + kChunkSteps);
    for (int64_t rb = rb0; rb < rb1; ++rb) {
      accumulate_block<Tiles>(a_tiles + rb * steps * kBlockTileBytes, b_block, first, last,
                              acc[rb - rb0]);
    }
  }
  const int64_t col0 = cb * kBlockColumns;
  const int64_t valid_cols = std::min(kBlockColumns, n - col0);
  for (int64_t rb = rb0; rb < rb1; ++rb) {
    const int64_t row0 = rb * kBlockRows;
    copy_out(acc[rb - rb0], n, row0, std::min(kBlockRows, m - row0), col0, valid_cols, out);
  }
}

// A column block's tiles unpacked from nibbles, per thread: consecutive work items share a
// column block.
thread_local UnpackedNibbles unpacked;

template <class Tiles>
void multiply_into(int64_t m, const int8_t* a, const PackedS8Weights& b, const Output& out) {
  check_packed_by(b, kName);
  if (out.requantization != nullptr) check_requantization_fits(b, *out.requantization);
  if (b.handoff && hands_off(m, b.n, b.k)) {
    const GemmS8Kernel& handoff = find_gemm_s8_kernel(kHandoffVariant);
    if (out.requantization == nullptr) {
      handoff.multiply(m, a, *b.handoff, out.c);
    } else {
      handoff.multiply_requantize(m, a, *b.handoff, *out.requantization, out.codes);
    }
    return;
  }
  const int64_t n = b.n;
  const int64_t steps = depth_steps(b.k);
  const int64_t row_blocks = round_up(m, kBlockRows) / kBlockRows;
  thread_local std::vector<int8_t, AlignedAllocator<int8_t, 64>> packed_a;
  packed_a.resize(static_cast<size_t>(row_blocks * steps * kBlockTileBytes));
  pack_rows(m, b.k, row_blocks, a, packed_a.data());
  const int8_t* a_tiles = packed_a.data();
  const int64_t column_blocks = round_up(n, kBlockColumns) / kBlockColumns;
  const int64_t row_groups = (row_blocks + kItemRowBlocks - 1) / kItemRowBlocks;
  const int64_t items = column_blocks * row_groups;
  // Consecutive items share a column block, so one thread's B stays in cache.
  const auto run_item = [&](int64_t item) {
    const int64_t cb = item / row_groups;
    const int64_t rb0 = (item % row_groups) * kItemRowBlocks;
    const int64_t rb1 = std::min(row_blocks, rb0 + kItemRowBlocks);
    const int64_t block_bytes = steps * kBlockTileBytes;
    const int8_t* b_block = b.data.data() + cb * block_bytes;
    if (b.int4) {
      b_block = unpacked.codes(cb, b.data.data() + cb * block_bytes / 2, block_bytes / 64);
    }
    multiply_item<Tiles>(m, n, steps, a_tiles, b_block, cb, rb0, rb1, out);
  };
  // Every thread that runs tiles loads the configuration first.
  for_each_block(
      items, m * n * b.k >= kParallelMacs, run_item,
      [] {
        Tiles::configure();
        unpacked.reset();
      },
      [] { Tiles::release(); });
}

template <class Tiles>
void multiply_tiles(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c) {
  multiply_into<Tiles>(m, a, b, Output{c, nullptr, nullptr});
}

template <class Tiles>
void multiply_tiles_requantized(int64_t m, const int8_t* a, const PackedS8Weights& b,
                                const RowRequantization& r, int8_t* c) {
  multiply_into<Tiles>(m, a, b, Output{nullptr, &r, c});
}

}  // namespace

GemmS8Kernel amx_gemm_s8_kernel() {
  return {kName,
          "AMX-INT8 tdpbssd, 32x32 blocks of four 16x16 tiles, K in chunks of 512; "
          "M < 16, N <= 16 or K <= 32 through avx512_vnni; 4-bit weights as nibbles",
          amx_int8_unavailable_reason,
          pack_tiles,
          pack_tiles_int4,
          multiply_tiles<AmxTiles>,
          multiply_tiles_requantized<AmxTiles>,
          nullptr};
}

void load_amx_tile_config() {
  AmxTiles::configure();
}

void release_amx_tiles() {
  AmxTiles::release();
}

GemmS8Kernel amx_emulated_gemm_s8_kernel() {
  return {kName,
          "the AMX variant's packing and blocking on plain C++ tiles (tests only)",
          [] { return std::string(); },
          pack_tiles,
          pack_tiles_int4,
          multiply_tiles<EmulatedTiles>,
          multiply_tiles_requantized<EmulatedTiles>,
          nullptr};
}

}  // namespace slim
