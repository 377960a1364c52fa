// GPU elementwise kernels (see elementwise.h for the contract of each).
//
// Variants:
//   cuda_axpy(a, x_device, y_device, n)  raw device pointers, y = a * x + y
//   cuda_axpy(a, DeviceArray x, DeviceArray y)  the same with sizes checked
//   cuda_axpy(a, Tensor x, Tensor y)  host tensors in/out (elementwise_tensor.h)
//   axpy_reference(a, x, y)  the CPU reference (elementwise_reference.cpp)
//
// Build and run (no GPU needed to build; without one the tests report "Skipped"):
//   cmake -S . -B build-cuda -DSLIMBENCH_CUDA=ON && cmake --build build-cuda --target test_cuda
//   ctest --test-dir build-cuda -R cuda -V
// or, on a GPU machine, scripts/gpu-check.
#include <stdexcept>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/elementwise.h"

namespace slim {
namespace {

// 256 threads keeps every SM generation we target fully occupied for a kernel this
// light; the block cap with a grid-stride loop bounds the grid for any n while still
// launching far more threads than an H100 runs at once.
constexpr unsigned kThreadsPerBlock = 256;
constexpr std::size_t kMaxBlocks = 65535;

__global__ void axpy_kernel(float a, const float* __restrict__ x, float* __restrict__ y,
                            std::size_t n) {
  const std::size_t stride = std::size_t{blockDim.x} * gridDim.x;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += stride) {
    y[i] = fmaf(a, x[i], y[i]);  // fused, to round like std::fma in the reference
  }
}

unsigned block_count(std::size_t n) {
  const std::size_t blocks = (n + kThreadsPerBlock - 1) / kThreadsPerBlock;
  return static_cast<unsigned>(blocks < kMaxBlocks ? blocks : kMaxBlocks);
}

}  // namespace

void cuda_axpy(float a, const float* x_device, float* y_device, std::size_t n) {
  if (n == 0) return;  // a zero-block launch is an error, and there is nothing to do
  axpy_kernel<<<block_count(n), kThreadsPerBlock>>>(a, x_device, y_device, n);
  // Catches launch errors now (e.g. no kernel image for this GPU); faults while the
  // kernel runs surface at the next synchronising call.
  cuda_check(cudaGetLastError(), "axpy_kernel launch");
}

void cuda_axpy(float a, const DeviceArray<float>& x, DeviceArray<float>& y) {
  if (x.size() != y.size()) throw std::invalid_argument("cuda_axpy: x and y differ in size");
  cuda_axpy(a, x.data(), y.data(), y.size());
}

}  // namespace slim
