// cuda_gemm_fp32: cuBLAS with IEEE FP32 arithmetic (see cuda_gemm.h).
//
// CUBLAS_COMPUTE_32F_PEDANTIC rules out every reduced-precision shortcut, including
// TF32 tensor cores that NVIDIA_TF32_OVERRIDE=1 or a handle's math mode would allow,
// so this stays the FP32 baseline the other precisions are compared with.
#include "kernels/cuda/cublas_row_major.h"
#include "kernels/cuda/cuda_gemm.h"

namespace slim {

void cuda_gemm_fp32(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  cublas_row_major_gemm("cuda_gemm_fp32", {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_PEDANTIC}, m,
                        n, k, a, b, c);
}

}  // namespace slim
