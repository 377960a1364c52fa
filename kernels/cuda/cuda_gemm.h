// GEMMs on the GPU, on device-resident operands (every pointer is a device pointer).
//
// Float variants keep GemmFunction's contract (kernels/gemm_function.h):
// C[M x N] = A[M x K] * B[K x N], row-major, dense, C overwritten.
//   cuda_gemm_fp32  gemm_cublas_fp32.cpp  cuBLAS, FP32 FMA math, TF32 forbidden
//                                         (CUBLAS_COMPUTE_32F_PEDANTIC)
//   cuda_gemm_tf32  gemm_cublas_tf32.cpp  cuBLAS on tensor cores: FP32 in memory, inputs
//                                         rounded to TF32 (10-bit mantissa), FP32 sums
//   cuda_gemm_fp16  gemm_cublas_fp16.cpp  cuBLAS on tensor cores: FP16 inputs, FP32 sums,
//                                         FP32 output (no rounding of C to FP16)
// Int8 variants keep the int8 backend's contract (kernels/int8/gemm_s8.h):
// C[M x N] = A[M x K] * B[N x K]^T, int8 in, int32 out, both operands K-contiguous rows.
//   cuda_gemm_s8_cublaslt  gemm_cublaslt_s8.cpp  cuBLASLt IMMA (integer tensor cores);
//                                                needs K % 4 == 0 and N % 4 == 0
//   cuda_gemm_s8_dp4a      gemm_s8_dp4a.cu       our plain kernel, any shape: the
//                                                device reference for int8
// The CPU ground truths are gemm_reference and gemm_s8s8s32_reference; tests/cuda
// compares every variant with them. Host-memory wrappers: cuda_gemm_host.h.
//
// Every call is enqueued on the legacy default stream and returns before the GPU is
// done; the next blocking copy (or cuda_device_synchronize) waits and reports failures
// as CudaError. Sizes must be >= 0 and fit in an int (std::invalid_argument otherwise);
// M or N == 0 does nothing, K == 0 writes zeros.
//
// Build and run: see kernels/README.md ("CUDA"); scripts/gpu-check on a GPU machine.
#pragma once

#include <cstdint>
#include <string>

#include "kernels/cuda/fp16_convert.h"

namespace slim {

void cuda_gemm_fp32(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);
void cuda_gemm_tf32(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);
void cuda_gemm_fp16(int64_t m, int64_t n, int64_t k, const Fp16* a, const Fp16* b, float* c);

// Empty when cuda_gemm_s8_cublaslt accepts this problem, otherwise the rule it breaks.
// cuBLASLt's int8 kernels take only the "TN" form with leading dimensions that are
// multiples of 4 and 4-byte-aligned pointers; in our layout the leading dimensions are
// K (A and B) and N (C), so K and N must be multiples of 4. M is free.
std::string cublaslt_s8_unsupported_reason(int64_t m, int64_t n, int64_t k, const int8_t* a,
                                           const int8_t* b, const int32_t* c);

// Throws std::invalid_argument with that reason (before any CUDA call) when the problem
// is unsupported, and CudaError when cuBLASLt finds no int8 algorithm for it on this GPU.
void cuda_gemm_s8_cublaslt(int64_t m, int64_t n, int64_t k, const int8_t* a, const int8_t* b,
                           int32_t* c);

// One thread per output, four products per __dp4a instruction when every row is 4-byte
// aligned (K % 4 == 0 and aligned pointers), one at a time otherwise. Exact: int32 sums
// cannot overflow for K < 2^17, as for the CPU reference.
void cuda_gemm_s8_dp4a(int64_t m, int64_t n, int64_t k, const int8_t* a, const int8_t* b,
                       int32_t* c);

}  // namespace slim
