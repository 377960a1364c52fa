// The AVX2 2:4 kernel; see sparse24_matmul.h for the two regimes and why.
#include <stdexcept>

#include "kernels/sparse/cpu_features.h"
#include "kernels/sparse/sparse24_matmul.h"

#if SLIM_SPARSE_HAVE_X86
#include <immintrin.h>

#include "kernels/sparse/transposed_product_avx2.h"
#endif

namespace slim {

#if SLIM_SPARSE_HAVE_X86
namespace {

// Below this batch the per-row form wins; measured on 784x300, the two forms cross
// between batch 4 and 6 (the transposed form costs the same from batch 1 to 8).
constexpr int64_t kSparse24MinTransposedBatch = 6;
// One step of the per-row form: 4 groups = 16 input columns = 8 kept values.
constexpr int64_t kSparse24StepGroups = 4;
// Columns per block of the transposed form: a tile's panel of X^T (64 x 64 floats) stays
// in L1. A multiple of 16 so blocks hold whole decode steps.
constexpr int64_t kSparse24BlockCols = 64;

// The 16 position bits of groups n .. n+3 (4 bits each, group n lowest). Nibbles are
// packed across rows, so an odd n starts in the middle of a byte.
uint32_t sparse24_step_bits(const uint8_t* positions, int64_t n) {
  const uint8_t* p = positions + n / 2;
  uint32_t bits = static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8);
  if (n % 2 != 0) bits = (bits >> 4) | (static_cast<uint32_t>(p[2]) << 12);
  return bits & 0xFFFF;
}

SLIM_TARGET_AVX2_FMA float sparse24_horizontal_sum(__m256 v) {
  const __m128 quad = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
  return _mm_cvtss_f32(_mm_add_ss(pair, _mm_movehdup_ps(pair)));
}

// acc += the 8 kept values of groups g .. g+3 times their inputs. Lane l holds slot l % 2
// of group g + l / 2; lanes 0-3 read the first 8 inputs, lanes 4-7 the next 8, each at
// index position + 4 * (its group's parity) within its 8, so one vpermps index serves
// both halves and a blend keeps the right half of each.
SLIM_TARGET_AVX2_FMA __m256 sparse24_step(const float* values, uint32_t bits, const float* x,
                                          __m256 acc) {
  const __m256i shifts = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const __m256i group_parity = _mm256_setr_epi32(0, 0, 4, 4, 0, 0, 4, 4);
  const __m256i positions = _mm256_and_si256(
      _mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int>(bits)), shifts), _mm256_set1_epi32(3));
  const __m256i index = _mm256_add_epi32(positions, group_parity);
  const __m256 low = _mm256_permutevar8x32_ps(_mm256_loadu_ps(x), index);
  const __m256 high = _mm256_permutevar8x32_ps(_mm256_loadu_ps(x + 8), index);
  const __m256 inputs = _mm256_blend_ps(low, high, 0xF0);
  return _mm256_fmadd_ps(_mm256_loadu_ps(values), inputs, acc);
}

SLIM_TARGET_AVX2_FMA float sparse24_row_dot(const Sparse24Matrix& w, int64_t r, const float* x) {
  const int64_t n0 = r * w.groups;
  const float* values = w.values.data() + kSparse24KeptPerGroup * n0;
  const uint8_t* positions = w.positions.data();
  // Whole steps only while all 16 inputs they load exist; the rest run one slot at a time.
  const int64_t step_groups =
      w.cols / (kSparse24StepGroups * kSparse24GroupSize) * kSparse24StepGroups;
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  int64_t g = 0;
  for (; g + 2 * kSparse24StepGroups <= step_groups; g += 2 * kSparse24StepGroups) {
    const int64_t g1 = g + kSparse24StepGroups;
    acc0 = sparse24_step(values + 2 * g, sparse24_step_bits(positions, n0 + g), x + 4 * g, acc0);
    acc1 = sparse24_step(values + 2 * g1, sparse24_step_bits(positions, n0 + g1), x + 4 * g1, acc1);
  }
  if (g + kSparse24StepGroups <= step_groups) {
    acc0 = sparse24_step(values + 2 * g, sparse24_step_bits(positions, n0 + g), x + 4 * g, acc0);
    g += kSparse24StepGroups;
  }
  float sum = sparse24_horizontal_sum(_mm256_add_ps(acc0, acc1));
  for (; g < w.groups; ++g) {
    for (int slot = 0; slot < 2; ++slot) {
      const int64_t c = g * kSparse24GroupSize + w.position(n0 + g, slot);
      if (c < w.cols) sum += values[2 * g + slot] * x[c];
    }
  }
  return sum;
}

SLIM_TARGET_AVX2_FMA void sparse24_matmul_rows(const Sparse24Matrix& w, const float* x,
                                               int64_t batch, float* y) {
  const int64_t rows = w.rows;
  const int64_t macs = batch * rows * w.groups * kSparse24KeptPerGroup;
  parallel_for(batch * rows, macs >= sparse_avx2::kSparseParallelMacs, [&](int64_t output) {
    const int64_t b = output / rows, r = output % rows;
    y[output] = sparse24_row_dot(w, r, x + b * w.cols);
  });
}

// The input columns of the kept values of groups g0 .. g0 + groups of the row whose
// first group is n0 - g0: cols[2 i + slot] = 4 (g0 + i) + position. Whole steps of 4
// groups decode 8 positions at once (as in sparse24_step), the rest one at a time.
SLIM_TARGET_AVX2_FMA void sparse24_decode_columns(const uint8_t* positions, int64_t n0, int64_t g0,
                                                  int64_t groups, int32_t* cols) {
  const __m256i shifts = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
  const __m256i group_starts = _mm256_setr_epi32(0, 0, 4, 4, 8, 8, 12, 12);
  int64_t i = 0;
  for (; i + kSparse24StepGroups <= groups; i += kSparse24StepGroups) {
    const auto bits = static_cast<int>(sparse24_step_bits(positions, n0 + i));
    const __m256i slot_positions =
        _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(bits), shifts), _mm256_set1_epi32(3));
    const __m256i base = _mm256_set1_epi32(static_cast<int>((g0 + i) * kSparse24GroupSize));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(cols + 2 * i),
                        _mm256_add_epi32(slot_positions, _mm256_add_epi32(base, group_starts)));
  }
  for (; i < groups; ++i) {
    const int64_t n = n0 + i;
    const int nibble = positions[n / 2] >> (4 * (n % 2));
    for (int slot = 0; slot < 2; ++slot) {
      cols[2 * i + slot] =
          static_cast<int32_t>((g0 + i) * kSparse24GroupSize + ((nibble >> (2 * slot)) & 3));
    }
  }
}

// Steps 1-3 of transposed_product_avx2.h, each block's positions decoded once per tile
// into column numbers. X^T gets zero rows up to the padded width, so a filler slot past
// the last column reads a zero instead of needing a bounds check.
SLIM_TARGET_AVX2_FMA void sparse24_matmul_transposed(const Sparse24Matrix& w, const float* x,
                                                     int64_t batch, float* y,
                                                     SparseScratch& scratch) {
  constexpr int64_t kGroupsPerBlock = kSparse24BlockCols / kSparse24GroupSize;
  auto block_kernel = [&](const sparse_avx2::RowBlock& block) {
    const int64_t g0 = block.first_col / kSparse24GroupSize;
    const int64_t groups = std::min(kGroupsPerBlock, w.groups - g0);
    const int64_t n0 = block.row * w.groups + g0;
    int32_t cols[kGroupsPerBlock * kSparse24KeptPerGroup];
    sparse24_decode_columns(w.positions.data(), n0, g0, groups, cols);
    sparse_avx2::accumulate_entries(
        block.vectors, w.values.data() + kSparse24KeptPerGroup * n0, kSparse24KeptPerGroup * groups,
        [&cols](int64_t e) { return cols[e]; }, block.x_t, block.stride, block.acc,
        block.first_block);
  };
  sparse_avx2::multiply_transposed(w.rows, w.cols, w.groups * kSparse24GroupSize,
                                   kSparse24BlockCols, x, batch, y, scratch,
                                   batch * w.rows * w.groups * kSparse24KeptPerGroup, block_kernel);
}

}  // namespace

void sparse24_matmul_avx2(const Sparse24Matrix& w, const float* x, int64_t batch, float* y,
                          SparseScratch& scratch) {
  if (batch < kSparse24MinTransposedBatch) {
    sparse24_matmul_rows(w, x, batch, y);
  } else {
    sparse24_matmul_transposed(w, x, batch, y, scratch);
  }
}

#else

void sparse24_matmul_avx2(const Sparse24Matrix&, const float*, int64_t, float*, SparseScratch&) {
  throw std::logic_error("sparse24_matmul_avx2 called on a CPU without x86 AVX2");
}

#endif

}  // namespace slim
