// The AMX variant: tdpbssd, a 16 x 16 block of int32 += (16 x 64 int8) * (64 x 16 int8)
// in one instruction (16384 multiply-adds), signed x signed, so no shift is needed. Sums
// are exact int32 (no saturation) as long as |C| < 2^31, which K <= 2^17 guarantees.
//
// Tiles: A tiles are 16 rows x 64 bytes of K; B tiles are 16 rows of four-k groups x
// (16 columns x 4 bytes), the "VNNI" order that pack() produces: per panel of 16 columns
// and per 64 k, one 1 KiB tile. C is accumulated 32 x 32 at a time in four tiles (two A
// tiles x two B tiles). Operands are padded with zeros to whole tiles: K to 64, M to 32
// and N to 32, so one code path handles every shape. Padding costs work on tiny shapes,
// where AMX has throughput to spare.
//
// Each thread that runs tiles must load the tile configuration first; permission to use
// tile data comes from cpu_features (arch_prctl), asked for before the variant is offered.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "kernels/int8/cpu_features.h"
#include "kernels/int8/gemm_s8_kernel.h"

namespace slim {
namespace {

constexpr std::string_view kName = "amx";
constexpr int64_t kTileRows = 16;
constexpr int64_t kTileBytes = 64;          // bytes per tile row
constexpr int64_t kDepthStep = kTileBytes;  // k per A tile
constexpr int64_t kPanelColumns = 16;       // columns per B tile
constexpr int64_t kBTileBytes = kTileRows * kTileBytes;
constexpr int64_t kParallelMacs = int64_t{1} << 18;

int64_t round_up(int64_t value, int64_t step) {
  return (value + step - 1) / step * step;
}
int64_t padded_depth(int64_t k) {
  return round_up(k, kDepthStep);
}
int64_t padded_panels(int64_t n) {
  return round_up(n, 2 * kPanelColumns) / kPanelColumns;
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

PackedS8Weights pack_tiles(int64_t n, int64_t k, const int8_t* b) {
  PackedS8Weights packed;
  packed.n = n;
  packed.k = k;
  packed.kernel = kName;
  const int64_t depth = padded_depth(k);
  const int64_t panels = padded_panels(n);
  packed.data.assign(static_cast<size_t>(panels * depth * kPanelColumns), 0);
  // Panel p, depth step s: tile at (p * depth / 64 + s) * 1 KiB; row = (k % 64) / 4,
  // byte = column * 4 + k % 4.
  for (int64_t j = 0; j < n; ++j) {
    const int64_t p = j / kPanelColumns;
    const int64_t col = j % kPanelColumns;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int64_t tile = p * (depth / kDepthStep) + kk / kDepthStep;
      const int64_t row = (kk % kDepthStep) / 4;
      packed.data[static_cast<size_t>(tile * kBTileBytes + row * kTileBytes + col * 4 + kk % 4)] =
          b[j * k + kk];
    }
  }
  return packed;
}

// a [m x k] -> [rows x depth], zero-padded.
void pad_rows(int64_t m, int64_t k, int64_t rows, const int8_t* a, int8_t* out) {
  const int64_t depth = padded_depth(k);
  std::fill(out, out + rows * depth, int8_t{0});
  for (int64_t i = 0; i < m; ++i) std::copy(a + i * k, a + (i + 1) * k, out + i * depth);
}

// One 32 x 32 block of C: rows row0.., panels p0 and p0 + 1.
__attribute__((target("amx-tile,amx-int8"))) void multiply_block(const int8_t* a, int64_t depth,
                                                                 const int8_t* panel0,
                                                                 int32_t* out /* 32 x 32 */) {
  const int8_t* panel1 = panel0 + depth * kPanelColumns;
  const int8_t* a0 = a;
  const int8_t* a1 = a + kTileRows * depth;
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (int64_t step = 0; step < depth / kDepthStep; ++step) {
    _tile_loadd(4, a0 + step * kDepthStep, depth);
    _tile_loadd(5, a1 + step * kDepthStep, depth);
    _tile_loadd(6, panel0 + step * kBTileBytes, kTileBytes);
    _tile_loadd(7, panel1 + step * kBTileBytes, kTileBytes);
    _tile_dpbssd(0, 4, 6);
    _tile_dpbssd(1, 4, 7);
    _tile_dpbssd(2, 5, 6);
    _tile_dpbssd(3, 5, 7);
  }
  constexpr int64_t stride = 2 * kPanelColumns * sizeof(int32_t);
  _tile_stored(0, out, stride);
  _tile_stored(1, out + kPanelColumns, stride);
  _tile_stored(2, out + kTileRows * 2 * kPanelColumns, stride);
  _tile_stored(3, out + kTileRows * 2 * kPanelColumns + kPanelColumns, stride);
}

__attribute__((target("amx-tile"))) void load_tile_config() {
  static const TileConfig config = full_tiles();
  _tile_loadconfig(&config);
}

__attribute__((target("amx-tile"))) void release_tiles() {
  _tile_release();
}

void multiply_tiles(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c) {
  check_packed_by(b, kName);
  const int64_t n = b.n;
  const int64_t depth = padded_depth(b.k);
  const int64_t rows = round_up(m, 2 * kTileRows);
  thread_local std::vector<int8_t, AlignedAllocator<int8_t, 64>> padded;
  padded.resize(static_cast<size_t>(rows * depth));
  pad_rows(m, b.k, rows, a, padded.data());
  const int8_t* a_tiles = padded.data();
  const int64_t row_blocks = rows / (2 * kTileRows);
  const int64_t column_blocks = padded_panels(n) / 2;
  const int64_t blocks = row_blocks * column_blocks;
#pragma omp parallel if (m * n * b.k >= kParallelMacs)
  {
    load_tile_config();
    alignas(64) int32_t block_out[2 * kTileRows * 2 * kPanelColumns];
#pragma omp for schedule(static)
    for (int64_t index = 0; index < blocks; ++index) {
      const int64_t cb = index / row_blocks;
      const int64_t rb = index % row_blocks;
      multiply_block(a_tiles + rb * 2 * kTileRows * depth, depth,
                     b.data.data() + cb * 2 * depth * kPanelColumns, block_out);
      const int64_t row0 = rb * 2 * kTileRows;
      const int64_t col0 = cb * 2 * kPanelColumns;
      const int64_t valid_rows = std::min<int64_t>(2 * kTileRows, m - row0);
      const int64_t valid_cols = std::min<int64_t>(2 * kPanelColumns, n - col0);
      for (int64_t r = 0; r < valid_rows; ++r) {
        std::memcpy(c + (row0 + r) * n + col0, block_out + r * 2 * kPanelColumns,
                    static_cast<size_t>(valid_cols) * sizeof(int32_t));
      }
    }
    release_tiles();
  }
}

}  // namespace

GemmS8Kernel amx_gemm_s8_kernel() {
  return {kName,
          "AMX-INT8 tdpbssd, 32x32 blocks of four 16x16 tiles",
          amx_int8_unavailable_reason,
          pack_tiles,
          nullptr,
          multiply_tiles};
}

}  // namespace slim
