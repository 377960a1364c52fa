// Host-memory conveniences over the GPU GEMMs of cuda_gemm.h, for tests and one-off use:
// each call copies its operands to the GPU, runs one GEMM, waits, and copies C back.
// Chains of GPU work should keep their operands on the device instead.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace slim {

enum class CudaFloatGemm { kFp32, kTf32, kFp16 };
enum class CudaS8Gemm { kCublasLt, kDp4a };

// "fp32", "tf32", "fp16"; "cublaslt", "dp4a".
std::string_view gemm_variant_name(CudaFloatGemm variant);
std::string_view gemm_variant_name(CudaS8Gemm variant);

// C[M x N] = A[M x K] * B[K x N], row-major (GemmFunction's layout). For kFp16 the FP32
// inputs are rounded to FP16 on the GPU first. Spans must hold M*K, K*N and M*N values
// (std::invalid_argument otherwise); GPU failures throw CudaError.
void cuda_gemm_host(CudaFloatGemm variant, int64_t m, int64_t n, int64_t k,
                    std::span<const float> a, std::span<const float> b, std::span<float> c);

// C[M x N] = A[M x K] * B[N x K]^T (gemm_s8.h's layout), int8 in, int32 out.
void cuda_gemm_s8_host(CudaS8Gemm variant, int64_t m, int64_t n, int64_t k,
                       std::span<const int8_t> a, std::span<const int8_t> b, std::span<int32_t> c);

}  // namespace slim
