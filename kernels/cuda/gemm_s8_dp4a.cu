// cuda_gemm_s8_dp4a: our own int8 GEMM, the device reference for cuBLASLt's (cuda_gemm.h).
//
// Layout as gemm_s8.h: A [M, K], B [N, K], C [M, N], row-major, so every output is one
// dot product of two contiguous int8 rows, like the CPU reference. One thread computes
// one output; __dp4a multiplies four int8 pairs and adds them to an int32 in one
// instruction. Written for obviousness, not speed: no shared-memory tiling, so it is
// bounded by cache bandwidth. Integer sums are exact in any order, so it matches the
// CPU reference bit for bit.
#include <cstdint>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_gemm.h"
#include "kernels/cuda/gemm_problem.h"

namespace slim {
namespace {

// 32 threads along N share one row of A (a broadcast read); 8 rows of C per block. The
// grid covers N in x and strides over M in y, whose grid size is capped at 65535.
constexpr unsigned kDp4aBlockX = 32;
constexpr unsigned kDp4aBlockY = 8;
constexpr unsigned kDp4aMaxGridY = 65535;

__device__ int dot_s8(const std::int8_t* a_row, const std::int8_t* b_row, int k,
                      bool rows_are_words) {
  int sum = 0;
  int p = 0;
  if (rows_are_words) {
    // Each row starts 4-byte aligned, so it can be read as ints of four packed int8.
    const int* a_words = reinterpret_cast<const int*>(a_row);
    const int* b_words = reinterpret_cast<const int*>(b_row);
    for (; p + 4 <= k; p += 4) sum = __dp4a(a_words[p / 4], b_words[p / 4], sum);
  }
  for (; p < k; ++p) sum += static_cast<int>(a_row[p]) * static_cast<int>(b_row[p]);
  return sum;
}

__global__ void gemm_s8_dp4a_kernel(int m, int n, int k, const std::int8_t* __restrict__ a,
                                    const std::int8_t* __restrict__ b, std::int32_t* __restrict__ c,
                                    bool rows_are_words) {
  const std::int64_t j = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (j >= n) return;
  const std::int64_t row_stride = std::int64_t{gridDim.y} * blockDim.y;
  for (std::int64_t i = std::int64_t{blockIdx.y} * blockDim.y + threadIdx.y; i < m;
       i += row_stride) {
    c[i * n + j] = dot_s8(a + i * k, b + j * k, k, rows_are_words);
  }
}

bool word_aligned(const void* pointer) {
  return reinterpret_cast<std::uintptr_t>(pointer) % 4 == 0;
}

}  // namespace

void cuda_gemm_s8_dp4a(int64_t m, int64_t n, int64_t k, const int8_t* a, const int8_t* b,
                       int32_t* c) {
  const GemmDims dims = checked_gemm_dims("cuda_gemm_s8_dp4a", m, n, k);
  if (dims.empty()) return;
  const bool rows_are_words = dims.k % 4 == 0 && word_aligned(a) && word_aligned(b);
  const dim3 block(kDp4aBlockX, kDp4aBlockY);
  const unsigned row_blocks = (static_cast<unsigned>(dims.m) + kDp4aBlockY - 1) / kDp4aBlockY;
  const dim3 grid((static_cast<unsigned>(dims.n) + kDp4aBlockX - 1) / kDp4aBlockX,
                  row_blocks < kDp4aMaxGridY ? row_blocks : kDp4aMaxGridY);
  gemm_s8_dp4a_kernel<<<grid, block>>>(dims.m, dims.n, dims.k, a, b, c, rows_are_words);
  cuda_check(cudaGetLastError(), "gemm_s8_dp4a_kernel launch");
}

}  // namespace slim
