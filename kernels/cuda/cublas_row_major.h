// Row-major GEMMs on cuBLAS's column-major API. Internal to kernels/cuda.
//
// cuBLAS reads every matrix column-major. A row-major R x C array with leading dimension
// C is, byte for byte, the column-major C x R array R^T. So instead of C = A B we ask
// cuBLAS for C^T = B^T A^T: it reads our B (row-major K x N) as the column-major N x K
// matrix B^T, our A (row-major M x K) as the column-major K x M matrix A^T, and writes
// the column-major N x M matrix C^T, which is exactly our row-major M x N C. No data
// moves and no operand is transposed: the call is gemm(N, N, n, m, k, B, ldb = N,
// A, lda = K, C, ldc = N).
#pragma once

#include <cublas_v2.h>

#include <cstdint>
#include <string_view>

namespace slim {

struct CublasGemmTypes {
  cudaDataType_t inputs;  // A and B
  cudaDataType_t output;  // C
  cublasComputeType_t compute;
};

// C[M x N] = A[M x K] * B[K x N], all row-major and dense, on device pointers. `who`
// names the caller in error messages. Scalars are FP32, so `compute` must be one of the
// CUBLAS_COMPUTE_32F* types.
void cublas_row_major_gemm(std::string_view who, const CublasGemmTypes& types, int64_t m, int64_t n,
                           int64_t k, const void* a, const void* b, void* c);

}  // namespace slim
