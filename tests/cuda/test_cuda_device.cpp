// Device discovery must work, and explain itself, on machines with no GPU or driver.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "kernels/cuda/cuda_device.h"
#include "tests/cuda/require_device.h"

namespace slim {
namespace {

TEST_CASE("cuda.devices") {
  const CudaAvailability availability = cuda_availability();
  const std::vector<CudaDeviceInfo> devices = cuda_devices();
  fmt::print("CUDA runtime {}, driver {}, {} device(s)\n",
             cuda_version_string(availability.runtime_version),
             cuda_version_string(availability.driver_version), availability.device_count);

  CHECK(availability.runtime_version > 0);  // the runtime answers even without a driver
  CHECK(cuda_device_count() == availability.device_count);
  REQUIRE(devices.size() == static_cast<std::size_t>(availability.device_count));

  if (availability.device_count == 0) {
    fmt::print("no CUDA device: {}\n", availability.reason);
    CHECK_FALSE(availability.reason.empty());
    if (test::gpu_required()) FAIL("SLIMBENCH_REQUIRE_GPU is set but there is no CUDA device");
  } else {
    CHECK(availability.reason.empty());
  }
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const CudaDeviceInfo& device = devices[i];
    fmt::print("  {}\n", describe(device));
    CHECK(device.index == static_cast<int>(i));
    CHECK_FALSE(device.name.empty());
    CHECK(device.compute_major >= 7);  // CUDA 13 supports nothing older than sm_75
    CHECK(device.memory_bytes > 0);
    CHECK(device.sm_count > 0);
    CHECK(device.driver_version > 0);
  }
}

TEST_CASE("cuda.version_string") {
  CHECK(cuda_version_string(13000) == "13.0");
  CHECK(cuda_version_string(12080) == "12.8");
  CHECK(cuda_version_string(0) == "none");
}

}  // namespace
}  // namespace slim
