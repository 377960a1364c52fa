// cuda_gemm_tf32: cuBLAS on TF32 tensor cores (see cuda_gemm.h).
//
// Operands stay FP32 in memory; the tensor cores read each input with a 10-bit mantissa
// (TF32: FP32's 8-bit exponent, so no overflow), multiply exactly and accumulate in
// FP32. Input rounding is the error source: up to 2^-10 relative per input when the
// hardware truncates, 2^-11 when it rounds.
#include "kernels/cuda/cublas_row_major.h"
#include "kernels/cuda/cuda_gemm.h"

namespace slim {

void cuda_gemm_tf32(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  cublas_row_major_gemm("cuda_gemm_tf32", {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32}, m,
                        n, k, a, b, c);
}

}  // namespace slim
