// require_cuda_device(): the first line of every test that needs a GPU.
//
// Without a device the test is skipped. scripts/gpu-check sets SLIMBENCH_REQUIRE_GPU=1
// so that there the same situation fails instead: a GPU run whose tests all skipped
// (say, a driver too old for our runtime) must not look like a pass.
#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string_view>

#include "kernels/cuda/cuda_device.h"
#include "tests/cuda/skip.h"

namespace slim::test {

inline bool gpu_required() {
  const char* value = std::getenv("SLIMBENCH_REQUIRE_GPU");
  return value != nullptr && *value != '\0' && std::string_view(value) != "0";
}

inline void require_cuda_device() {
  const CudaAvailability availability = cuda_availability();
  if (availability.device_count > 0) return;
  if (gpu_required()) FAIL("SLIMBENCH_REQUIRE_GPU is set but: " << availability.reason);
  skip_test("no CUDA device", availability.reason);
}

}  // namespace slim::test
