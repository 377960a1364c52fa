// Measuring GPU work: the CUDA event timer and the NVML energy meter.
//
// Neither test asserts a speed (speed belongs to bench/): the timer must report a
// positive, finite time for real work, and the energy counter must never run backwards.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/cuda/cuda_device.h"
#include "kernels/cuda/cuda_error.h"
#include "kernels/cuda/cuda_event_timer.h"
#include "kernels/cuda/cuda_gemm.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/nvml_meter.h"
#include "tests/cuda/require_device.h"

namespace slim {
namespace {

// Square FP32 GEMMs on zero-filled operands: the values do not matter here, the work does.
class GemmLoop {
 public:
  explicit GemmLoop(int64_t size) : size_(size), a_(elements()), b_(elements()), c_(elements()) {
    const std::vector<float> zeros(elements(), 0.0f);
    a_.upload(zeros);
    b_.upload(zeros);
  }
  void run(int times) {
    for (int i = 0; i < times; ++i)
      cuda_gemm_fp32(size_, size_, size_, a_.data(), b_.data(), c_.data());
  }

 private:
  std::size_t elements() const { return static_cast<std::size_t>(size_ * size_); }
  int64_t size_;
  DeviceArray<float> a_;
  DeviceArray<float> b_;
  DeviceArray<float> c_;
};

TEST_CASE("cuda.event_timer_times_gpu_work") {
  test::require_cuda_device();
  CudaEventTimer timer;
  CHECK_THROWS_AS(timer.stop_seconds(), std::logic_error);  // not started

  GemmLoop gemms(512);
  gemms.run(1);  // cuBLAS's first call creates its handle; keep that out of the window
  timer.start();
  gemms.run(10);
  const double seconds = timer.stop_seconds();
  fmt::print("10 FP32 GEMMs 512^3: {:.1f} us on the GPU\n", seconds * 1e6);
  CHECK(std::isfinite(seconds));
  CHECK(seconds > 0.0);
}

// Runs everywhere: without a GPU the timer cannot exist, and says so with a CudaError.
TEST_CASE("cuda.event_timer_without_device_throws") {
  if (cuda_device_count() > 0) {
    CHECK_NOTHROW(CudaEventTimer());
  } else {
    CHECK_THROWS_AS(CudaEventTimer(), CudaError);
  }
}

// Runs everywhere: the meter opens, or it says why not (here: no driver, so no NVML).
TEST_CASE("cuda.nvml_meter_opens_or_explains") {
  std::string why;
  const auto meter = open_nvml_meter(0, &why);
  if (meter == nullptr) {
    fmt::print("NVML energy meter unavailable: {}\n", why);
    CHECK_FALSE(why.empty());
    if (cuda_device_count() == 0) CHECK(open_nvml_meter() == nullptr);  // why is optional
  } else {
    fmt::print("NVML energy meter open on CUDA device 0\n");
    CHECK(why.empty());
    CHECK(meter->source() == "nvml");
    CHECK(meter->joules() >= 0.0);
  }
}

TEST_CASE("cuda.nvml_energy_never_decreases") {
  test::require_cuda_device();
  std::string why;
  const auto meter = open_nvml_meter(0, &why);
  // A GPU that does not count energy (some VMs, MIG) is a fact of the machine, not a bug.
  if (meter == nullptr) test::skip_test("the GPU's NVML energy counter is unavailable", why);
  GemmLoop gemms(2048);
  const double before = meter->joules();
  double last = before;
  for (int round = 0; round < 5; ++round) {
    gemms.run(40);  // ~17 GFLOP each: tens of milliseconds per round on a datacenter GPU
    cuda_synchronize();
    const double now = meter->joules();
    CHECK(now >= last);
    last = now;
  }
  fmt::print("NVML: {:.3f} J over 200 FP32 GEMMs 2048^3 ({:.4f} J each)\n", last - before,
             (last - before) / 200.0);
}

}  // namespace
}  // namespace slim
