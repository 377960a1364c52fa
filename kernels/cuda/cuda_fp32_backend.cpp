#include "kernels/cuda/cuda_fp32_backend.h"

#include <algorithm>
#include <span>
#include <utility>
#include <vector>

#include "kernels/cuda/cuda_device.h"
#include "kernels/cuda/cuda_gemm.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/device_operand_cache.h"

namespace slim {
namespace {

// The cache of the plan running on this thread. GemmFunction is a plain function
// pointer and carries no state, so the running plan lends its cache this way; the
// operators call the GEMM on the thread that called run().
thread_local DeviceOperandCache* active_operand_cache = nullptr;

class ActiveOperandCacheScope {
 public:
  explicit ActiveOperandCacheScope(DeviceOperandCache& cache)
      : previous_(std::exchange(active_operand_cache, &cache)) {}
  ~ActiveOperandCacheScope() { active_operand_cache = previous_; }
  ActiveOperandCacheScope(const ActiveOperandCacheScope&) = delete;
  ActiveOperandCacheScope& operator=(const ActiveOperandCacheScope&) = delete;

 private:
  DeviceOperandCache* previous_;
};

class DeviceCachedExecutable final : public Executable {
 public:
  explicit DeviceCachedExecutable(std::unique_ptr<Executable> plan) : plan_(std::move(plan)) {}

  const Tensor& run(const Tensor& input) override {
    const ActiveOperandCacheScope scope(cache_);
    return plan_->run(input);
  }

 private:
  DeviceOperandCache cache_;  // declared first, destroyed last: outlives the plan
  std::unique_ptr<Executable> plan_;
};

void gemm_without_cache(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  const auto count = [](int64_t rows, int64_t cols) {
    return static_cast<std::size_t>(rows * cols);
  };
  const DeviceArray<float> a_device(std::span<const float>(a, count(m, k)));
  const DeviceArray<float> b_device(std::span<const float>(b, count(k, n)));
  DeviceArray<float> c_device(count(m, n));
  cuda_gemm_fp32(m, n, k, a_device.data(), b_device.data(), c_device.data());
  c_device.download(std::span<float>(c, count(m, n)));
}

}  // namespace

void gemm_cuda_fp32_host_operands(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                                  float* c) {
  if (m <= 0 || n <= 0) return;
  const auto c_count = static_cast<std::size_t>(m * n);
  if (k <= 0) {
    std::fill(c, c + c_count, 0.0f);
    return;
  }
  if (active_operand_cache == nullptr) {
    gemm_without_cache(m, n, k, a, b, c);
    return;
  }
  const DeviceGemmOperands operands = active_operand_cache->prepare(
      a, static_cast<std::size_t>(m * k), b, static_cast<std::size_t>(k * n), c, c_count);
  cuda_gemm_fp32(m, n, k, operands.a, operands.b, operands.c);
  // Blocking: waits for the GEMM and reports its failure, if any.
  detail::copy_to_host(c, operands.c, c_count * sizeof(float));
}

std::unique_ptr<Executable> with_device_operand_cache(std::unique_ptr<Executable> plan) {
  return std::make_unique<DeviceCachedExecutable>(std::move(plan));
}

std::string cuda_backend_unavailable_reason() {
  return cuda_availability().reason;
}

std::string cuda_backend_variant() {
  const std::vector<CudaDeviceInfo> devices = cuda_devices();
  if (devices.empty()) return "no CUDA device: " + cuda_availability().reason;
  // The GEMMs run on the current device, which is device 0 unless someone changed it.
  return "cuBLAS FP32 (pedantic, no TF32) on " + describe(devices.front());
}

}  // namespace slim
