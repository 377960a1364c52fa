// cuda_gemm_fp16: cuBLAS on FP16 tensor cores with FP32 accumulation (see cuda_gemm.h).
//
// A and B are FP16 (cuda_convert_to_fp16 makes them from FP32); products of two FP16
// values are exact in FP32 and are summed in FP32 (CUBLAS_COMPUTE_32F, not the faster
// FP16 accumulation). C is written as FP32: rounding it to FP16 would add a 2^-11
// relative error that inference does not need, since the next layer reads FP32.
#include "kernels/cuda/cublas_row_major.h"
#include "kernels/cuda/cuda_gemm.h"

namespace slim {

void cuda_gemm_fp16(int64_t m, int64_t n, int64_t k, const Fp16* a, const Fp16* b, float* c) {
  cublas_row_major_gemm("cuda_gemm_fp16", {CUDA_R_16F, CUDA_R_32F, CUBLAS_COMPUTE_32F}, m, n, k, a,
                        b, c);
}

}  // namespace slim
