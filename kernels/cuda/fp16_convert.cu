// FP32 -> FP16 on the GPU (see fp16_convert.h). The test reference is the FP16 GEMM's
// tolerance, derived from this rounding (tests/cuda/test_cuda_gemm_float.cpp).
#include <cuda_fp16.h>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/fp16_convert.h"

namespace slim {
namespace {

constexpr unsigned kFp16ConvertThreads = 256;
constexpr std::size_t kFp16ConvertMaxBlocks = 65535;

__global__ void convert_to_fp16_kernel(const float* __restrict__ src, Fp16* __restrict__ dst,
                                       std::size_t n) {
  const std::size_t stride = std::size_t{blockDim.x} * gridDim.x;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += stride) {
    dst[i].bits = __half_as_ushort(__float2half_rn(src[i]));
  }
}

}  // namespace

void cuda_convert_to_fp16(const float* src_device, Fp16* dst_device, std::size_t n) {
  if (n == 0) return;
  const std::size_t wanted = (n + kFp16ConvertThreads - 1) / kFp16ConvertThreads;
  const auto blocks =
      static_cast<unsigned>(wanted < kFp16ConvertMaxBlocks ? wanted : kFp16ConvertMaxBlocks);
  convert_to_fp16_kernel<<<blocks, kFp16ConvertThreads>>>(src_device, dst_device, n);
  cuda_check(cudaGetLastError(), "convert_to_fp16_kernel launch");
}

}  // namespace slim
