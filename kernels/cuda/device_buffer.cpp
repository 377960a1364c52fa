#include "kernels/cuda/device_buffer.h"

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <limits>
#include <stdexcept>

#include "kernels/cuda/cuda_check.h"

namespace slim::detail {

void* device_allocate(std::size_t count, std::size_t element_size) {
  if (count == 0) return nullptr;
  if (count > std::numeric_limits<std::size_t>::max() / element_size) {
    throw std::length_error(fmt::format("DeviceArray of {} elements overflows size_t", count));
  }
  const std::size_t bytes = count * element_size;
  void* pointer = nullptr;
  cuda_check(cudaMalloc(&pointer, bytes), fmt::format("cudaMalloc({} bytes)", bytes));
  return pointer;
}

void device_free(void* pointer) noexcept {
  // Called from destructors, so it cannot throw; cudaFree only fails here when the
  // context is already broken, and that error is reported by the next checked call.
  if (pointer != nullptr) (void)cudaFree(pointer);
}

void copy_to_device(void* device, const void* host, std::size_t bytes) {
  if (bytes == 0) return;
  cuda_check(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice),
             fmt::format("cudaMemcpy host to device ({} bytes)", bytes));
}

void copy_to_host(void* host, const void* device, std::size_t bytes) {
  if (bytes == 0) return;
  // Also where a failed asynchronous kernel surfaces: cudaMemcpy waits for prior work.
  cuda_check(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost),
             fmt::format("cudaMemcpy device to host ({} bytes)", bytes));
}

void check_transfer_size(std::size_t expected, std::size_t actual) {
  if (expected != actual) {
    throw std::invalid_argument(fmt::format(
        "DeviceArray copy: device array has {} elements, host side has {}", expected, actual));
  }
}

}  // namespace slim::detail
