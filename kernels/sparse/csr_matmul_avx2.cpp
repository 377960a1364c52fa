// The AVX2 CSR kernel; see csr_matmul.h for the two regimes and why.
#include <algorithm>
#include <stdexcept>

#include "kernels/sparse/cpu_features.h"
#include "kernels/sparse/csr_matmul.h"

#if SLIM_SPARSE_HAVE_X86
#include <immintrin.h>

#include "kernels/sparse/transposed_product_avx2.h"
#endif

namespace slim {

#if SLIM_SPARSE_HAVE_X86
namespace {

// Below this batch the dot-product form wins: the transposed form pads the batch to 8,
// so up to batch 8 it costs what batch 8 costs (one accumulator chain per row), plus
// the transpose of X. Measured on 784x300 at 50% and 90% zeros: the two forms cross
// between batch 6 and 8.
constexpr int64_t kCsrMinTransposedBatch = 8;

SLIM_TARGET_AVX2_FMA float csr_horizontal_sum(__m256 v) {
  const __m128 quad = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 pair = _mm_add_ps(quad, _mm_movehl_ps(quad, quad));
  return _mm_cvtss_f32(_mm_add_ss(pair, _mm_movehdup_ps(pair)));
}

// x[cols[0..8)] as one vector. Eight scalar loads and inserts: on Zen 3 this measured
// 1.3-2x faster than vgatherdps for the same row dot products (50 to 95% zeros).
SLIM_TARGET_AVX2_FMA __m256 csr_load_inputs(const float* x, const uint16_t* cols) {
  return _mm256_setr_ps(x[cols[0]], x[cols[1]], x[cols[2]], x[cols[3]], x[cols[4]], x[cols[5]],
                        x[cols[6]], x[cols[7]]);
}

// One row's sparse dot product with x: 16 nonzeros per step in two accumulators, so
// consecutive FMAs do not wait on each other.
SLIM_TARGET_AVX2_FMA float csr_row_dot(const float* values, const uint16_t* cols, int64_t count,
                                       const float* x) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  int64_t e = 0;
  for (; e + 16 <= count; e += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(values + e), csr_load_inputs(x, cols + e), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(values + e + 8), csr_load_inputs(x, cols + e + 8), acc1);
  }
  if (e + 8 <= count) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(values + e), csr_load_inputs(x, cols + e), acc0);
    e += 8;
  }
  float sum = csr_horizontal_sum(_mm256_add_ps(acc0, acc1));
  for (; e < count; ++e) sum += values[e] * x[cols[e]];
  return sum;
}

SLIM_TARGET_AVX2_FMA void csr_matmul_dots(const CsrMatrix& w, const float* x, int64_t batch,
                                          float* y) {
  const int64_t rows = w.rows;
  parallel_for(batch * rows, batch * w.nonzeros() >= sparse_avx2::kSparseParallelMacs,
               [&](int64_t output) {
                 const int64_t b = output / rows, r = output % rows;
                 const int32_t start = w.row_ptr[r];
                 y[output] = csr_row_dot(w.values.data() + start, w.col_idx.data() + start,
                                         w.row_ptr[r + 1] - start, x + b * w.cols);
               });
}

// Columns per block of the transposed form: the fewest (64, 128 or 256) that give a row
// about 24 nonzeros per block on average, so the accumulators' load and store and the
// call per block are amortized; more columns would push the tile's panel of X^T
// (columns x 64 samples x 4 bytes) out of L1. On 784x300 and 1200x1200 at batch 256,
// 256 columns measured 1.2-1.6x faster than 64 at 90-95% zeros and slower at 50%.
int64_t csr_block_cols(const CsrMatrix& w) {
  constexpr double kTargetEntries = 24.0;
  const double density = static_cast<double>(w.nonzeros()) /
                         static_cast<double>(std::max<int64_t>(1, w.rows * w.cols));
  for (const int64_t cols : {int64_t{64}, int64_t{128}}) {
    if (density * static_cast<double>(cols) >= kTargetEntries) return cols;
  }
  return 256;
}

// block_starts[r * (blocks + 1) + k]: the first entry of row r in column block k (the
// last one is the row's end). Computed once per call, shared by every tile.
void csr_block_starts(const CsrMatrix& w, int64_t block_cols, int64_t blocks,
                      std::vector<int32_t>& block_starts) {
  block_starts.resize(static_cast<size_t>(w.rows * (blocks + 1)));
  for (int64_t r = 0; r < w.rows; ++r) {
    int32_t* starts = block_starts.data() + r * (blocks + 1);
    int32_t e = w.row_ptr[r];
    for (int64_t k = 0; k < blocks; ++k) {
      starts[k] = e;
      const int64_t block_end = (k + 1) * block_cols;
      while (e < w.row_ptr[r + 1] && w.col_idx[e] < block_end) ++e;
    }
    starts[blocks] = w.row_ptr[r + 1];
  }
}

// Steps 1-3 of transposed_product_avx2.h.
SLIM_TARGET_AVX2_FMA void csr_matmul_transposed(const CsrMatrix& w, const float* x, int64_t batch,
                                                float* y, SparseScratch& scratch) {
  const int64_t block_cols = csr_block_cols(w);
  const int64_t blocks = (w.cols + block_cols - 1) / block_cols;
  csr_block_starts(w, block_cols, blocks, scratch.block_starts);
  const int32_t* block_starts = scratch.block_starts.data();
  const uint16_t* col_idx = w.col_idx.data();
  const float* values = w.values.data();
  auto block_kernel = [&](const sparse_avx2::RowBlock& block) {
    const int32_t* starts = block_starts + block.row * (blocks + 1) + block.first_col / block_cols;
    const uint16_t* cols = col_idx + starts[0];
    sparse_avx2::accumulate_entries(
        block.vectors, values + starts[0], starts[1] - starts[0],
        [cols](int64_t e) { return cols[e]; }, block.x_t, block.stride, block.acc,
        block.first_block);
  };
  sparse_avx2::multiply_transposed(w.rows, w.cols, w.cols, block_cols, x, batch, y, scratch,
                                   batch * w.nonzeros(), block_kernel);
}

}  // namespace

void csr_matmul_avx2(const CsrMatrix& w, const float* x, int64_t batch, float* y,
                     SparseScratch& scratch) {
  if (batch < kCsrMinTransposedBatch) {
    csr_matmul_dots(w, x, batch, y);
  } else {
    csr_matmul_transposed(w, x, batch, y, scratch);
  }
}

#else

void csr_matmul_avx2(const CsrMatrix&, const float*, int64_t, float*, SparseScratch&) {
  throw std::logic_error("csr_matmul_avx2 called on a CPU without x86 AVX2");
}

#endif

}  // namespace slim
