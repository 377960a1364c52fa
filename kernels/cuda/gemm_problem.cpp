#include "kernels/cuda/gemm_problem.h"

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <limits>
#include <stdexcept>

#include "kernels/cuda/cuda_check.h"

namespace slim {

GemmDims checked_gemm_dims(std::string_view who, int64_t m, int64_t n, int64_t k) {
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  if (m < 0 || n < 0 || k < 0 || m > kMax || n > kMax || k > kMax) {
    throw std::invalid_argument(
        fmt::format("{}: sizes M={} N={} K={} must be in [0, {}]", who, m, n, k, kMax));
  }
  return {static_cast<int>(m), static_cast<int>(n), static_cast<int>(k)};
}

void zero_device_output(void* c_device, const GemmDims& dims, std::size_t element_bytes) {
  const std::size_t bytes =
      static_cast<std::size_t>(dims.m) * static_cast<std::size_t>(dims.n) * element_bytes;
  if (bytes == 0) return;
  // Asynchronous on the default stream, ordered like the GEMMs that would have run.
  cuda_check(cudaMemsetAsync(c_device, 0, bytes), "cudaMemsetAsync(GEMM output, K = 0)");
}

}  // namespace slim
