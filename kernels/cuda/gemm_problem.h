// The size checks and trivial cases every GPU GEMM shares. Internal to kernels/cuda.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace slim {

// An M x N x K problem whose sizes cuBLAS and our kernels can take (they index with int).
struct GemmDims {
  int m = 0;
  int n = 0;
  int k = 0;
  bool empty() const { return m == 0 || n == 0; }
};

// Throws std::invalid_argument naming `who` when a size is negative or above INT_MAX.
GemmDims checked_gemm_dims(std::string_view who, int64_t m, int64_t n, int64_t k);

// For K == 0, where C = A * B is all zeros: clears m * n elements of `element_bytes`.
void zero_device_output(void* c_device, const GemmDims& dims, std::size_t element_bytes);

}  // namespace slim
