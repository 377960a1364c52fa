// The batched form both AVX2 sparse kernels share (CSR and 2:4): multiply with X^T, so
// that one stored weight w(r, c) times one contiguous row of X^T is a vector FMA across
// the batch.
//
//   1. X [batch, cols] -> X^T [padded cols, batch rounded up to 8] in tiles of 64
//      samples (transpose_input), by 8x8 register transposes. The padding is zero, so
//      kernels run whole vectors and a 2:4 filler slot past the last column reads 0
//      without a bounds check.
//   2. Per tile of 64 samples, per block of input columns (the format chooses how many:
//      64 for 2:4, 64-256 for CSR by density), per row:
//      acc[64] += sum over the row's stored weights in the block of w * X^T[c, tile].
//      A 64-column block's panel of X^T (64 x 64 samples = 16 KiB) stays in L1 while
//      every row reads it; without the blocking each weight's 8 loads came from L2 and
//      the kernel ran 1.5-2.4x slower. 8 accumulators cover the FMA latency.
//   3. The tile of Y^T is transposed back into Y [batch, rows] (8x8 again).
// Threads split the rows; each output's sum runs block by block in storage order, so
// the result does not depend on the thread count.
//
// Include only from files whose callers checked cpu_has_avx2_fma().
#pragma once

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "core/parallel_for.h"
#include "kernels/sparse/cpu_features.h"
#include "kernels/sparse/sparse_scratch.h"

namespace slim::sparse_avx2 {

inline constexpr int64_t kLanes = 8;
inline constexpr int kTileVectors = 8;
inline constexpr int64_t kTileSamples = kTileVectors * kLanes;
// Below this many multiply-adds a product runs on the calling thread: waking the OpenMP
// team costs more than it saves.
inline constexpr int64_t kSparseParallelMacs = int64_t{1} << 16;

inline int64_t round_up(int64_t n, int64_t multiple) {
  return (n + multiple - 1) / multiple * multiple;
}

// dst[j * dst_stride + i] = src[i * src_stride + j] for an 8x8 block.
SLIM_TARGET_AVX2_FMA inline void transpose_8x8(const float* src, int64_t src_stride, float* dst,
                                               int64_t dst_stride) {
  __m256 r[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * src_stride);
  // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves.
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]);
  const __m256 t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]);
  const __m256 t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]);
  const __m256 t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]);
  const __m256 t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44);
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44);
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44);
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44);
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst + 0 * dst_stride, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + 1 * dst_stride, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * dst_stride, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * dst_stride, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * dst_stride, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * dst_stride, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * dst_stride, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * dst_stride, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// dst[j * dst_stride + i] = src[i * src_stride + j] for i < rows, j < cols: whole 8x8
// blocks through registers, the edges one element at a time.
SLIM_TARGET_AVX2_FMA inline void transpose_block(const float* src, int64_t src_stride, int64_t rows,
                                                 int64_t cols, float* dst, int64_t dst_stride) {
  const int64_t full_rows = rows / kLanes * kLanes;
  const int64_t full_cols = cols / kLanes * kLanes;
  for (int64_t i = 0; i < full_rows; i += kLanes) {
    for (int64_t j = 0; j < full_cols; j += kLanes) {
      transpose_8x8(src + i * src_stride + j, src_stride, dst + j * dst_stride + i, dst_stride);
    }
  }
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t first_j = i < full_rows ? full_cols : 0;
    for (int64_t j = first_j; j < cols; ++j) dst[j * dst_stride + i] = src[i * src_stride + j];
  }
}

// Samples [first, first + tile_width(...)) form one tile; the last may be narrower, but
// always a whole number of vectors.
inline int64_t tile_width(int64_t padded_batch, int64_t first) {
  return std::min(kTileSamples, padded_batch - first);
}

// X [batch, cols] -> x_t, tile by tile: the tile starting at sample `first` is the
// [padded_cols, width] matrix at x_t + first * padded_cols. Each tile is contiguous, so
// a block's panel is too: with one row stride across the whole batch (a power of two at
// batch 256) the panel's rows mapped onto a quarter of L1's sets and evicted each other.
SLIM_TARGET_AVX2_FMA inline void transpose_input(const float* x, int64_t batch, int64_t cols,
                                                 int64_t padded_cols, AlignedFloats& x_t) {
  const int64_t padded_batch = round_up(batch, kLanes);
  const auto size = static_cast<size_t>(padded_cols * padded_batch);
  if (x_t.size() != size) x_t.resize(size);
  std::fill(x_t.begin(), x_t.end(), 0.0f);
  for (int64_t first = 0; first < batch; first += kTileSamples) {
    const int64_t width = tile_width(padded_batch, first);
    transpose_block(x + first * cols, cols, std::min(kTileSamples, batch - first), cols,
                    x_t.data() + first * padded_cols, width);
  }
}

// acc[0 .. 8 kVectors) (+)= sum over e < count of weights[e] * x_t[column_of(e) * stride + ...]
template <int kVectors, typename ColumnOf>
SLIM_TARGET_AVX2_FMA inline void accumulate_entries(const float* weights, int64_t count,
                                                    ColumnOf column_of, const float* x_t,
                                                    int64_t stride, float* acc_out,
                                                    bool first_block) {
  __m256 acc[kVectors];
  for (int v = 0; v < kVectors; ++v) {
    acc[v] = first_block ? _mm256_setzero_ps() : _mm256_load_ps(acc_out + v * kLanes);
  }
  for (int64_t e = 0; e < count; ++e) {
    const __m256 w = _mm256_broadcast_ss(weights + e);
    const float* x_row = x_t + static_cast<int64_t>(column_of(e)) * stride;
    for (int v = 0; v < kVectors; ++v) {
      acc[v] = _mm256_fmadd_ps(w, _mm256_load_ps(x_row + v * kLanes), acc[v]);
    }
  }
  for (int v = 0; v < kVectors; ++v) _mm256_store_ps(acc_out + v * kLanes, acc[v]);
}

// The same with the vector count chosen at run time (the last tile may be narrower).
template <typename ColumnOf>
SLIM_TARGET_AVX2_FMA inline void accumulate_entries(int vectors, const float* weights,
                                                    int64_t count, ColumnOf column_of,
                                                    const float* x_t, int64_t stride,
                                                    float* acc_out, bool first_block) {
  switch (vectors) {
    case 1:
      return accumulate_entries<1>(weights, count, column_of, x_t, stride, acc_out, first_block);
    case 2:
      return accumulate_entries<2>(weights, count, column_of, x_t, stride, acc_out, first_block);
    case 3:
      return accumulate_entries<3>(weights, count, column_of, x_t, stride, acc_out, first_block);
    case 4:
      return accumulate_entries<4>(weights, count, column_of, x_t, stride, acc_out, first_block);
    case 5:
      return accumulate_entries<5>(weights, count, column_of, x_t, stride, acc_out, first_block);
    case 6:
      return accumulate_entries<6>(weights, count, column_of, x_t, stride, acc_out, first_block);
    case 7:
      return accumulate_entries<7>(weights, count, column_of, x_t, stride, acc_out, first_block);
    default:
      return accumulate_entries<8>(weights, count, column_of, x_t, stride, acc_out, first_block);
  }
}

// Where one call of a row's block kernel reads and writes.
struct RowBlock {
  int64_t row;
  int64_t first_col, end_col;  // the block's input columns [first_col, end_col)
  const float* x_t;            // the tile of X^T, [padded cols, stride]
  int64_t stride;              // the tile's width in samples
  int vectors;                 // 8-sample vectors in this tile
  float* acc;                  // the row's accumulators for this tile (kTileSamples floats)
  bool first_block;            // the accumulators start at zero
};

// Y [batch, rows] = X W^T with block_kernel(const RowBlock&) adding one row's stored
// weights of one column block (steps 1-3 above).
template <typename BlockKernel>
SLIM_TARGET_AVX2_FMA void multiply_transposed(int64_t rows, int64_t cols, int64_t padded_cols,
                                              int64_t block_cols, const float* x, int64_t batch,
                                              float* y, SparseScratch& scratch, int64_t macs,
                                              BlockKernel block_kernel) {
  if (padded_cols == 0) {  // no inputs: every output is an empty sum
    std::fill(y, y + batch * rows, 0.0f);
    return;
  }
  transpose_input(x, batch, cols, padded_cols, scratch.x_t);
  const int64_t padded_batch = round_up(batch, kLanes);
  const auto tile_size = static_cast<size_t>(rows * kTileSamples);
  if (scratch.y_t.size() != tile_size) scratch.y_t.resize(tile_size);
  const float* x_t = scratch.x_t.data();
  float* y_t = scratch.y_t.data();
  parallel_slices(rows, macs >= kSparseParallelMacs, [&](int64_t r0, int64_t r1) {
    for (int64_t first = 0; first < padded_batch; first += kTileSamples) {
      const int64_t width = tile_width(padded_batch, first);
      const int vectors = static_cast<int>(width / kLanes);
      const float* tile = x_t + first * padded_cols;
      for (int64_t c0 = 0; c0 < padded_cols; c0 += block_cols) {
        const int64_t c1 = std::min(padded_cols, c0 + block_cols);
        for (int64_t r = r0; r < r1; ++r) {
          block_kernel(RowBlock{r, c0, c1, tile, width, vectors, y_t + r * kTileSamples, c0 == 0});
        }
      }
      // Y[first + j, r] = y_t[r, j] for this thread's rows.
      transpose_block(y_t + r0 * kTileSamples, kTileSamples, r1 - r0,
                      std::min(kTileSamples, batch - first), y + first * rows + r0, rows);
    }
  });
}

}  // namespace slim::sparse_avx2
