// The AVX-512 VNNI variant: vpdpbusd, 64 multiply-adds per instruction.
//
// vpdpbusd multiplies unsigned bytes of its first source with signed bytes of its second,
// adds each group of four products to an int32 lane, and does not saturate (vpdpbusds
// would). It has no signed x signed form, so A is shifted to unsigned:
//   sum_k a_k b_k = sum_k (a_k + 128) b_k - 128 sum_k b_k,
// where a + 128 in [0, 255] is a ^ 0x80 and sum_k b_k is computed once per column when B
// is packed. Every lane then holds at most K * 255 * 128 < 2^31 for K < 2^16: exact.
//
// Layout: B in panels of 16 columns; per group of four k, the 16 columns' four bytes,
// i.e. 64 bytes = one zmm. The micro-kernel keeps up to 8 rows x 32 columns of C in 16
// accumulators and, per group of four k, loads two B vectors and broadcasts four bytes of
// A per row.
//
// 4-bit weights (pack_int4) keep each 64-byte B vector as 32 bytes of nibbles
// (nibble_vectors.h), unpacked with 4 instructions per 16 x 4 weights: half the bytes to
// stream, which is what bounds batch-1 layers.
//
// multiply_requantize runs the same micro-kernel and requantizes its accumulators in
// registers (requantize_avx512.h), storing 16 int8 codes per row and panel: a quarter of
// the int32 store's bytes. multiply_grouped_requantize does the same for per-group
// weights, scaling each group's sums as its K loop finishes them (below).

// GCC 12's AVX-512 intrinsics start some results from _mm512_undefined_epi32(), a
// deliberate self-initialisation that -Wuninitialized reports inside every caller
// (before the includes: the inline helpers of requantize_avx512.h need it too).
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "kernels/int8/cpu_features.h"
#include "kernels/int8/for_each_block.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "kernels/int8/nibble_vectors.h"
#include "kernels/int8/requantize_avx512.h"

namespace slim {
namespace {

constexpr std::string_view kName = "avx512_vnni";
constexpr int64_t kPanelColumns = 16;
constexpr int kMaxRows = 8;
constexpr int64_t kParallelMacs = int64_t{1} << 18;

int64_t quad_depth(int64_t k) {
  return (k + 3) / 4 * 4;
}
int64_t panel_count(int64_t n) {
  return (n + kPanelColumns - 1) / kPanelColumns;
}

PackedS8Weights pack_quads(int64_t n, int64_t k, const int8_t* b) {
  PackedS8Weights packed;
  packed.n = n;
  packed.k = k;
  packed.kernel = kName;
  const int64_t depth = quad_depth(k);
  const int64_t panels = panel_count(n);
  packed.data.assign(static_cast<size_t>(panels * depth * kPanelColumns), 0);
  packed.column_corrections.assign(static_cast<size_t>(panels * kPanelColumns), 0);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t p = j / kPanelColumns;
    const int64_t col = j % kPanelColumns;
    int32_t sum = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int64_t quad = kk / 4;
      packed.data[static_cast<size_t>(((p * (depth / 4) + quad) * kPanelColumns + col) * 4 +
                                      kk % 4)] = b[j * k + kk];
      sum += b[j * k + kk];
    }
    packed.column_corrections[static_cast<size_t>(j)] = 128 * sum;
  }
  return packed;
}

// pack_quads' layout with every 64-byte vector halved into nibbles.
PackedS8Weights pack_nibble_quads(int64_t n, int64_t k, const int8_t* b) {
  check_int4_codes(kName, b, n * k);
  PackedS8Weights packed = pack_quads(n, k, b);
  packed.data = pack_nibble_vectors(packed.data);
  packed.int4 = true;
  return packed;
}

// a [m x k] -> [m x depth] of a + 128 as unsigned bytes; the padding meets zero weights.
// 64 bytes per step with masked loads and stores: a byte loop here took 12% of lenet-5's
// int8 inference at batch 256, on conv1's 25-byte rows.
__attribute__((target("avx512f,avx512bw"))) void shift_rows(int64_t m, int64_t k, const int8_t* a,
                                                            uint8_t* out) {
  const int64_t depth = quad_depth(k);
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const auto first_bytes = [](int64_t count) {
    return count >= 64 ? ~__mmask64{0} : (__mmask64{1} << std::max<int64_t>(count, 0)) - 1;
  };
  for (int64_t i = 0; i < m; ++i) {
    const int8_t* row = a + i * k;
    uint8_t* shifted = out + i * depth;
    for (int64_t p = 0; p < depth; p += 64) {
      const __mmask64 valid = first_bytes(k - p);
      const __m512i codes = _mm512_maskz_loadu_epi8(valid, row + p);
      // Bytes past k stay zero: they meet the zero padding of B.
      const __m512i unsigned_codes = _mm512_maskz_mov_epi8(valid, _mm512_xor_si512(codes, flip));
      _mm512_mask_storeu_epi8(shifted + p, first_bytes(depth - p), unsigned_codes);
    }
  }
}

struct Block {
  const uint8_t* a;            // [rows x depth]
  const int8_t* panel;         // first of `Panels` consecutive panels, each [depth / 4][16][4]
  int64_t panel_bytes;         // depth * 16, or half that as nibbles
  const int32_t* corrections;  // 128 * sum_k B[j, k] per column
  int64_t depth;
  int32_t* c;     // int32 output, or
  int8_t* codes;  // with `requantization`, int8 output
  const RowRequantization* requantization;
  bool narrow;           // narrow_requantization_applies(*requantization, K): the 32-bit-lane stage
  int64_t first_column;  // of the first panel, in C
  int64_t ldc;
  int64_t columns;  // valid columns from the first panel on, 1..16 * Panels
};

__mmask16 first_lanes(int64_t count) {
  return static_cast<__mmask16>((1u << std::clamp<int64_t>(count, 0, 16)) - 1u);
}

// Stores one panel's accumulators of `Rows` rows, less the unsigned shift's correction:
// as int32, or requantized to codes with the panel's 16 columns of constants.
template <int Rows>
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"), always_inline)) inline void
store_panel(const Block& block, int p, const __m512i (&acc)[Rows]) {
  const __mmask16 mask = first_lanes(block.columns - p * kPanelColumns);
  const __m512i correction = _mm512_loadu_si512(block.corrections + p * kPanelColumns);
  if (block.requantization == nullptr) {
    // Read once: a vector store may alias anything, so GCC reloaded the block's fields
    // after every row's store.
    int32_t* const c = block.c + p * kPanelColumns;
    const int64_t ldc = block.ldc;
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r) {
      _mm512_mask_storeu_epi32(c + r * ldc, mask, _mm512_sub_epi32(acc[r], correction));
    }
    return;
  }
  const RowRequantization& q = *block.requantization;
  const int64_t column = block.first_column + p * kPanelColumns;
  if (block.narrow) {
    NarrowRequantization512 constants = load_narrow_requantization(
        q.biases.data() + column, q.multipliers.data() + column, q.exponents.data() + column, mask);
    // The correction joins the bias once per panel: in wrapping int32 arithmetic the sum
    // comes out exact, because the true one fits.
    constants.bias = _mm512_sub_epi32(constants.bias, correction);
    const __m512i zero_point = _mm512_set1_epi32(q.zero_point);
    const __m512i qmin = _mm512_set1_epi32(q.qmin);
    const __m512i qmax = _mm512_set1_epi32(q.qmax);
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r) {
      const __m128i codes = requantize_sixteen_narrow(acc[r], constants, zero_point, qmin, qmax);
      _mm_mask_storeu_epi8(block.codes + r * block.ldc + p * kPanelColumns, mask, codes);
    }
    return;
  }
  const auto low_lanes = static_cast<__mmask8>(mask);
  const auto high_lanes = static_cast<__mmask8>(mask >> 8);
  const ChannelRequantization512 low =
      load_channel_requantization(q.biases.data() + column, q.multipliers.data() + column,
                                  q.exponents.data() + column, low_lanes);
  const ChannelRequantization512 high =
      load_channel_requantization(q.biases.data() + column + 8, q.multipliers.data() + column + 8,
                                  q.exponents.data() + column + 8, high_lanes);
  const __m512i zero_point = _mm512_set1_epi64(q.zero_point);
  const __m512i qmin = _mm512_set1_epi64(q.qmin);
  const __m512i qmax = _mm512_set1_epi64(q.qmax);
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r) {
    const __m128i codes =
        requantize_sixteen(_mm512_sub_epi32(acc[r], correction), low, high, zero_point, qmin, qmax);
    _mm_mask_storeu_epi8(block.codes + r * block.ldc + p * kPanelColumns, mask, codes);
  }
}

// One B vector (16 columns x 4 k) of one group of four k: loaded, or unpacked from 32
// bytes of nibbles.
template <bool Nibbles>
__attribute__((target("avx512f,avx512bw"), always_inline)) inline __m512i load_weights(
    const int8_t* panel, int64_t quad) {
  if constexpr (Nibbles) {
    return unpack_nibble_vector(panel + quad * kNibbleVectorBytes);
  } else {
    return _mm512_load_si512(panel + quad * 64);
  }
}

// acc + the four-byte dot products of a (unsigned) and b (signed). GCC 12 allocates
// registers for some blocks' K loops poorly: with the intrinsic, each vpdpbusd of a block
// of one panel (8 x 16: 8 accumulators) wrote a fresh register that a copy then moved
// back into the accumulator, two copies per instruction, and the per-group kernel kept
// accumulators in stack slots. As an asm statement the accumulator is tied to the
// destination operand, so those loops have no copies; mlp-800 fc3 at batch 256 (10
// columns) got 15% faster and the per-group kernel 15-30%. The two-panel blocks keep the
// intrinsic, which ran short-K products 8-40% faster there (alternating binaries, Zen 5).
template <bool Tied>
__attribute__((target("avx512f,avx512vnni"), always_inline)) inline __m512i dot_quads(__m512i acc,
                                                                                      __m512i a,
                                                                                      __m512i b) {
  if constexpr (Tied) {
    asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
  } else {
    return _mm512_dpbusd_epi32(acc, a, b);
  }
}

// One group of four k into the block's Rows x Panels accumulators.
template <int Rows, int Panels, bool Nibbles, bool Tied = (Panels == 1)>
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline)) inline void accumulate_quad(
    const Block& block, int64_t quad, __m512i (&acc)[Rows][Panels]) {
  __m512i b[Panels];
  for (int p = 0; p < Panels; ++p) {
    b[p] = load_weights<Nibbles>(block.panel + p * block.panel_bytes, quad);
  }
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r) {
    int32_t four;
    std::memcpy(&four, block.a + r * block.depth + 4 * quad, sizeof(four));
    const __m512i a = _mm512_set1_epi32(four);
    for (int p = 0; p < Panels; ++p) acc[r][p] = dot_quads<Tied>(acc[r][p], a, b[p]);
  }
}

// Independent sums per accumulator: each vpdpbusd waits for the previous one into the same
// register (4-5 cycles), so a block of one or two rows, with only 2-4 accumulators, waits
// on that chain instead of issuing two per cycle. Such blocks split K over several sets of
// accumulators, one group of four k each in turn, and add the sets at the end (int32
// addition is exact). On Zen 5 the batch-1 classifiers got 40% faster (mlp-800 fc3: 0.22
// to 0.13 us); larger batch-1 layers, bound by streaming their weights, 3-10%.
template <int Rows, int Panels>
constexpr int kSplits = (Rows * Panels) >= 8 ? 1 : 8 / (Rows * Panels);

template <int Rows, int Panels, bool Nibbles>
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512vnni"))) void multiply_block(
    const Block& block) {
  constexpr int splits = kSplits<Rows, Panels>;
  __m512i acc[splits][Rows][Panels];
#pragma GCC unroll 8
  for (int s = 0; s < splits; ++s) {
    for (int r = 0; r < Rows; ++r) {
      for (int p = 0; p < Panels; ++p) acc[s][r][p] = _mm512_setzero_si512();
    }
  }
  const int64_t quads = block.depth / 4;
  int64_t quad = 0;
  if constexpr (splits > 1) {
    for (; quad + splits <= quads; quad += splits) {
#pragma GCC unroll 8
      for (int s = 0; s < splits; ++s)
        accumulate_quad<Rows, Panels, Nibbles>(block, quad + s, acc[s]);
    }
  }
  for (; quad < quads; ++quad) accumulate_quad<Rows, Panels, Nibbles>(block, quad, acc[0]);
#pragma GCC unroll 8
  for (int s = 1; s < splits; ++s) {
    for (int r = 0; r < Rows; ++r) {
      for (int p = 0; p < Panels; ++p) acc[0][r][p] = _mm512_add_epi32(acc[0][r][p], acc[s][r][p]);
    }
  }
  // Two-panel blocks of 8 accumulators or more pass their sums through a tile in L1: with
  // all of them live into the output stage, which needs registers of its own, GCC 12 split
  // their live ranges back into the K loop as a register copy per vpdpbusd. On Zen 5,
  // resnet-8's convolutions in GEMM form got 3-15% faster.
  constexpr bool through_tile = Panels == 2 && Rows >= 4;
  alignas(64) __m512i tile[Panels][Rows];
  if constexpr (through_tile) {
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r) {
      for (int p = 0; p < Panels; ++p) _mm512_store_si512(&tile[p][r], acc[0][r][p]);
    }
  }
  for (int p = 0; p < Panels; ++p) {
    __m512i panel[Rows];
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r) {
      panel[r] = through_tile ? _mm512_load_si512(&tile[p][r]) : acc[0][r][p];
    }
    store_panel<Rows>(block, p, panel);
  }
}

template <int Panels, bool Nibbles>
void multiply_rows(int rows, const Block& block) {
  switch (rows) {
    case 1:
      return multiply_block<1, Panels, Nibbles>(block);
    case 2:
      return multiply_block<2, Panels, Nibbles>(block);
    case 3:
      return multiply_block<3, Panels, Nibbles>(block);
    case 4:
      return multiply_block<4, Panels, Nibbles>(block);
    case 5:
      return multiply_block<5, Panels, Nibbles>(block);
    case 6:
      return multiply_block<6, Panels, Nibbles>(block);
    case 7:
      return multiply_block<7, Panels, Nibbles>(block);
    default:
      return multiply_block<8, Panels, Nibbles>(block);
  }
}

// The micro-kernel for a block's rows, panels and weight form.
void multiply_any(int rows, const Block& block, bool nibbles) {
  const bool two_panels = block.columns > kPanelColumns;
  if (nibbles) {
    return two_panels ? multiply_rows<2, true>(rows, block) : multiply_rows<1, true>(rows, block);
  }
  return two_panels ? multiply_rows<2, false>(rows, block) : multiply_rows<1, false>(rows, block);
}

// Nibble panels unpacked to int8 once per thread and panel pair, for products of more
// rows than one block: at batch 256 unpacking every B vector again for each of 32 row
// blocks made 4-bit weights 5-11% slower than int8 ones; unpacked once, the block loop
// runs on int8 panels from L1/L2.
thread_local UnpackedNibbles unpacked;

// The loop both products share: A shifted to unsigned once, then run(rows, block,
// nibbles) for every block of up to `max_rows` rows of A and one pair of B panels, across
// OpenMP threads for large products. `output` holds the C pointers and output stage;
// each block gets them offset to its rows and columns, and its own A, panels and
// corrections. 4-bit panels read by more than one row block are unpacked once per thread.
template <typename Run>
void for_each_panel_block(int64_t m, const int8_t* a, const PackedS8Weights& b, int max_rows,
                          const Block& output, Run run) {
  const int64_t n = b.n;
  const int64_t depth = quad_depth(b.k);
  const int64_t panel_bytes = depth * kPanelColumns / (b.int4 ? 2 : 1);
  thread_local std::vector<uint8_t, AlignedAllocator<uint8_t, 64>> shifted;
  shifted.resize(static_cast<size_t>(m * depth));
  shift_rows(m, b.k, a, shifted.data());
  const uint8_t* rows = shifted.data();
  const int64_t row_blocks = (m + max_rows - 1) / max_rows;
  const int64_t panel_pairs = (panel_count(n) + 1) / 2;
  const bool unpack_once = b.int4 && row_blocks > 1;
  auto run_block = [&](int64_t index) {
    const int64_t pair = index / row_blocks;
    const int64_t row0 = (index % row_blocks) * max_rows;
    const int64_t first_column = pair * 2 * kPanelColumns;
    const int64_t offset = row0 * n + first_column;
    const int8_t* panels = b.data.data() + pair * 2 * panel_bytes;
    if (unpack_once) {
      const int64_t vectors = std::min<int64_t>(2, panel_count(n) - 2 * pair) * (depth / 4);
      panels = unpacked.codes(pair, panels, vectors);
    }
    Block block = output;
    block.a = rows + row0 * depth;
    block.panel = panels;
    block.panel_bytes = unpack_once ? depth * kPanelColumns : panel_bytes;
    block.corrections = b.column_corrections.data() + first_column;
    block.depth = depth;
    if (block.c != nullptr) block.c += offset;
    if (block.codes != nullptr) block.codes += offset;
    block.first_column = first_column;
    block.ldc = n;
    block.columns = n - first_column;
    run(static_cast<int>(std::min<int64_t>(max_rows, m - row0)), block, b.int4 && !unpack_once);
  };
  for_each_block(
      row_blocks * panel_pairs, m * n * b.k >= kParallelMacs, run_block, [] { unpacked.reset(); },
      [] {});
}

// C = A B^T as int32 (c) or as codes requantized by `requantization` (codes).
void multiply_into(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c,
                   const RowRequantization* requantization, int8_t* codes) {
  check_packed_by(b, kName);
  if (requantization != nullptr) check_requantization_fits(b, *requantization);
  Block output{};
  output.c = c;
  output.codes = codes;
  output.requantization = requantization;
  output.narrow = requantization != nullptr && narrow_requantization_applies(*requantization, b.k);
  for_each_panel_block(m, a, b, kMaxRows, output, multiply_any);
}

void multiply_quads(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c) {
  multiply_into(m, a, b, c, nullptr, nullptr);
}

void multiply_quads_requantized(int64_t m, const int8_t* a, const PackedS8Weights& b,
                                const RowRequantization& r, int8_t* c) {
  multiply_into(m, a, b, nullptr, &r, c);
}

// The per-group output stage (multiply_grouped_requantize). The K loop runs once per
// group; then the group's int32 sums, less 128 times its weight sums (A's unsigned
// shift), are multiplied by the group's per-column multipliers with vpmuldq and added
// into int64 totals, the even columns' and the odd columns' apart (vpmuldq reads the low
// dword of each 64-bit lane; |sum| <= 2^14 L_g < 2^29 and m < 2^31, so a product needs 64
// bits, and the totals stay below 2^60 for K <= 2^15: quantized_gemm.h). The
// totals start at the biases and are rounded once (divide_by_pot_to_codes), and the two
// halves' codes are interleaved back into column order. Blocks have at most 4 rows: 4 x 2
// accumulators and twice as many totals take 24 of the 32 registers.
constexpr int kGroupedMaxRows = 4;

template <int Rows, int Panels, bool Nibbles>
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512vnni"))) void
multiply_grouped_block(const Block& block, const GroupedColumnRequantization& q) {
  constexpr int splits = kSplits<Rows, Panels>;
  const int64_t n = q.columns();
  const int64_t quads = block.depth / 4;
  const int64_t group_quads = q.group_size / 4;
  const __m512i even_columns = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
  const __m512i odd_columns = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
  __mmask16 masks[Panels];
  __m512i even[Rows][Panels], odd[Rows][Panels];
  for (int p = 0; p < Panels; ++p) {
    masks[p] = first_lanes(block.columns - p * kPanelColumns);
    const int64_t column = block.first_column + p * kPanelColumns;
    const __m512i low =
        _mm512_maskz_loadu_epi64(static_cast<__mmask8>(masks[p]), q.biases.data() + column);
    const __m512i high = _mm512_maskz_loadu_epi64(static_cast<__mmask8>(masks[p] >> 8),
                                                  q.biases.data() + column + 8);
    const __m512i even_biases = _mm512_permutex2var_epi64(low, even_columns, high);
    const __m512i odd_biases = _mm512_permutex2var_epi64(low, odd_columns, high);
    for (int r = 0; r < Rows; ++r) even[r][p] = even_biases, odd[r][p] = odd_biases;
  }
  for (int64_t first = 0, g = 0; first < quads; first += group_quads, ++g) {
    const int64_t last = std::min(quads, first + group_quads);
    __m512i acc[splits][Rows][Panels];
#pragma GCC unroll 8
    for (int s = 0; s < splits; ++s) {
      for (int r = 0; r < Rows; ++r) {
        for (int p = 0; p < Panels; ++p) acc[s][r][p] = _mm512_setzero_si512();
      }
    }
    int64_t quad = first;
    if constexpr (splits > 1) {
      for (; quad + splits <= last; quad += splits) {
#pragma GCC unroll 8
        for (int s = 0; s < splits; ++s)
          accumulate_quad<Rows, Panels, Nibbles, true>(block, quad + s, acc[s]);
      }
    }
    for (; quad < last; ++quad) accumulate_quad<Rows, Panels, Nibbles, true>(block, quad, acc[0]);
    for (int p = 0; p < Panels; ++p) {
      const int64_t at = g * n + block.first_column + p * kPanelColumns;
      const __m512i multipliers = _mm512_maskz_loadu_epi32(masks[p], q.multipliers.data() + at);
      const __m512i odd_multipliers = _mm512_srli_epi64(multipliers, 32);
      const __m512i shift_correction =
          _mm512_slli_epi32(_mm512_maskz_loadu_epi32(masks[p], q.weight_sums.data() + at), 7);
#pragma GCC unroll 8
      for (int r = 0; r < Rows; ++r) {
        __m512i sums = acc[0][r][p];
        for (int s = 1; s < splits; ++s) sums = _mm512_add_epi32(sums, acc[s][r][p]);
        sums = _mm512_sub_epi32(sums, shift_correction);
        even[r][p] = _mm512_add_epi64(even[r][p], _mm512_mul_epi32(sums, multipliers));
        odd[r][p] = _mm512_add_epi64(
            odd[r][p], _mm512_mul_epi32(_mm512_srli_epi64(sums, 32), odd_multipliers));
      }
    }
  }
  const __m512i zero_point = _mm512_set1_epi64(q.zero_point);
  const __m512i qmin = _mm512_set1_epi64(q.qmin);
  const __m512i qmax = _mm512_set1_epi64(q.qmax);
  for (int p = 0; p < Panels; ++p) {
    const __m512i shifts = _mm512_maskz_loadu_epi32(
        masks[p], q.shifts.data() + block.first_column + p * kPanelColumns);
    const __m512i even_shifts = _mm512_and_si512(shifts, _mm512_set1_epi64(0xFFFFFFFF));
    const __m512i odd_shifts = _mm512_srli_epi64(shifts, 32);
    int8_t* const codes = block.codes + p * kPanelColumns;  // read once, as in store_panel
    const int64_t ldc = block.ldc;
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r) {
      const __m128i even_codes = _mm512_cvtepi64_epi8(
          divide_by_pot_to_codes(even[r][p], even_shifts, zero_point, qmin, qmax));
      const __m128i odd_codes = _mm512_cvtepi64_epi8(
          divide_by_pot_to_codes(odd[r][p], odd_shifts, zero_point, qmin, qmax));
      _mm_mask_storeu_epi8(codes + r * ldc, masks[p], _mm_unpacklo_epi8(even_codes, odd_codes));
    }
  }
}

template <int Panels, bool Nibbles>
void multiply_grouped_rows(int rows, const Block& block, const GroupedColumnRequantization& q) {
  switch (rows) {
    case 1:
      return multiply_grouped_block<1, Panels, Nibbles>(block, q);
    case 2:
      return multiply_grouped_block<2, Panels, Nibbles>(block, q);
    case 3:
      return multiply_grouped_block<3, Panels, Nibbles>(block, q);
    default:
      return multiply_grouped_block<4, Panels, Nibbles>(block, q);
  }
}

void multiply_grouped_any(int rows, const Block& block, const GroupedColumnRequantization& q,
                          bool nibbles) {
  const bool two_panels = block.columns > kPanelColumns;
  if (nibbles) {
    return two_panels ? multiply_grouped_rows<2, true>(rows, block, q)
                      : multiply_grouped_rows<1, true>(rows, block, q);
  }
  return two_panels ? multiply_grouped_rows<2, false>(rows, block, q)
                    : multiply_grouped_rows<1, false>(rows, block, q);
}

void multiply_quads_grouped_requantized(int64_t m, const int8_t* a, const PackedS8Weights& b,
                                        const GroupedColumnRequantization& r, int8_t* c) {
  check_packed_by(b, kName);
  check_grouped_requantization_shape(r, b.n, b.k);
  Block output{};
  output.codes = c;
  for_each_panel_block(m, a, b, kGroupedMaxRows, output,
                       [&r](int rows, const Block& block, bool nibbles) {
                         multiply_grouped_any(rows, block, r, nibbles);
                       });
}

}  // namespace

GemmS8Kernel avx512_vnni_gemm_s8_kernel() {
  return {kName,
          "AVX-512 VNNI vpdpbusd with A shifted to unsigned, 8x32 micro-kernel; 4-bit "
          "weights as nibbles",
          avx512_vnni_unavailable_reason,
          pack_quads,
          pack_nibble_quads,
          multiply_quads,
          multiply_quads_requantized,
          multiply_quads_grouped_requantized};
}

}  // namespace slim
