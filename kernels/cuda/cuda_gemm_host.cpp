#include "kernels/cuda/cuda_gemm_host.h"

#include <fmt/format.h>

#include <stdexcept>
#include <string>

#include "kernels/cuda/cuda_gemm.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/fp16_convert.h"

namespace slim {
namespace {

void check_operand_size(std::string_view who, std::string_view operand, std::size_t actual,
                        int64_t rows, int64_t cols) {
  if (rows < 0 || cols < 0 || actual != static_cast<std::size_t>(rows * cols)) {
    throw std::invalid_argument(fmt::format("{}: operand {} has {} values, expected {} x {}", who,
                                            operand, actual, rows, cols));
  }
}

DeviceArray<Fp16> device_fp16_copy(std::span<const float> host) {
  const DeviceArray<float> fp32(host);
  DeviceArray<Fp16> fp16(host.size());
  cuda_convert_to_fp16(fp32.data(), fp16.data(), host.size());
  // Freeing fp32 before the conversion has run is safe: all our work is ordered on the
  // default stream, so nothing can reuse that memory before the kernel has read it.
  return fp16;
}

void run_float_gemm(CudaFloatGemm variant, int64_t m, int64_t n, int64_t k,
                    std::span<const float> a, std::span<const float> b, float* c_device) {
  if (variant == CudaFloatGemm::kFp16) {
    const DeviceArray<Fp16> a_device = device_fp16_copy(a);
    const DeviceArray<Fp16> b_device = device_fp16_copy(b);
    cuda_gemm_fp16(m, n, k, a_device.data(), b_device.data(), c_device);
    return;
  }
  const DeviceArray<float> a_device(a);
  const DeviceArray<float> b_device(b);
  if (variant == CudaFloatGemm::kFp32) {
    cuda_gemm_fp32(m, n, k, a_device.data(), b_device.data(), c_device);
  } else {
    cuda_gemm_tf32(m, n, k, a_device.data(), b_device.data(), c_device);
  }
}

}  // namespace

std::string_view gemm_variant_name(CudaFloatGemm variant) {
  switch (variant) {
    case CudaFloatGemm::kFp32:
      return "fp32";
    case CudaFloatGemm::kTf32:
      return "tf32";
    case CudaFloatGemm::kFp16:
      return "fp16";
  }
  return "?";
}

std::string_view gemm_variant_name(CudaS8Gemm variant) {
  return variant == CudaS8Gemm::kCublasLt ? "cublaslt" : "dp4a";
}

void cuda_gemm_host(CudaFloatGemm variant, int64_t m, int64_t n, int64_t k,
                    std::span<const float> a, std::span<const float> b, std::span<float> c) {
  const std::string who = fmt::format("cuda_gemm_host({})", gemm_variant_name(variant));
  check_operand_size(who, "A", a.size(), m, k);
  check_operand_size(who, "B", b.size(), k, n);
  check_operand_size(who, "C", c.size(), m, n);
  DeviceArray<float> c_device(c.size());
  run_float_gemm(variant, m, n, k, a, b, c_device.data());
  c_device.download(c);  // waits for the GEMM and reports its failure, if any
}

void cuda_gemm_s8_host(CudaS8Gemm variant, int64_t m, int64_t n, int64_t k,
                       std::span<const int8_t> a, std::span<const int8_t> b, std::span<int32_t> c) {
  const std::string who = fmt::format("cuda_gemm_s8_host({})", gemm_variant_name(variant));
  check_operand_size(who, "A", a.size(), m, k);
  check_operand_size(who, "B", b.size(), n, k);
  check_operand_size(who, "C", c.size(), m, n);
  if (variant == CudaS8Gemm::kCublasLt) {
    // Shape rules first, so an unsupported shape is reported as such even without a GPU;
    // cudaMalloc's pointers are 256-byte aligned, so only the sizes can break them.
    const std::string why = cublaslt_s8_unsupported_reason(m, n, k, nullptr, nullptr, nullptr);
    if (!why.empty()) throw std::invalid_argument(who + ": " + why);
  }
  const DeviceArray<int8_t> a_device(a);
  const DeviceArray<int8_t> b_device(b);
  DeviceArray<int32_t> c_device(c.size());
  if (variant == CudaS8Gemm::kCublasLt) {
    cuda_gemm_s8_cublaslt(m, n, k, a_device.data(), b_device.data(), c_device.data());
  } else {
    cuda_gemm_s8_dp4a(m, n, k, a_device.data(), b_device.data(), c_device.data());
  }
  c_device.download(c);
}

}  // namespace slim
