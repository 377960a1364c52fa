// GPU elementwise kernels against their CPU references.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <stdexcept>

#include "core/rng.h"
#include "core/tensor.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/elementwise.h"
#include "kernels/cuda/elementwise_tensor.h"
#include "tests/cuda/require_device.h"

namespace slim {
namespace {

// Both sides use one fused multiply-add per element, so we expect 0; the slack only
// keeps a harmless compiler change to the rounding from failing a scarce GPU run.
constexpr float kTolerance = 1e-6f;
constexpr float kA = -0.75f;

Tensor random_tensor(Shape shape, uint64_t seed) {
  Tensor tensor(std::move(shape));
  Rng rng(seed);
  for (float& value : tensor.values()) value = rng.uniform(-1.0f, 1.0f);
  return tensor;
}

TEST_CASE("cuda.axpy_matches_cpu") {
  test::require_cuda_device();
  // Odd sizes leave partial blocks; the last exceeds one full grid (65535 blocks of 256)
  // so the grid-stride loop runs a second round.
  for (const int64_t n : {0, 1, 7, 255, 256, 257, 4099, 1000003, 65535 * 256 + 5}) {
    const Tensor x = random_tensor({n}, 1);
    const Tensor y = random_tensor({n}, 2);
    Tensor expected = y;
    axpy_reference(kA, x.values(), expected.values());

    const DeviceArray<float> x_device(x.values());
    DeviceArray<float> y_device(y.values());
    cuda_axpy(kA, x_device, y_device);
    const Tensor actual({n}, y_device.to_host());

    const float diff = max_abs_diff(actual, expected);
    fmt::print("axpy n={:>9}: max|gpu - cpu| = {:g}\n", n, diff);
    CHECK(diff <= kTolerance);
  }
}

TEST_CASE("cuda.axpy_tensor") {
  test::require_cuda_device();
  const Tensor x = random_tensor({3, 5, 7}, 3);
  Tensor y = random_tensor({3, 5, 7}, 4);
  Tensor expected = y;
  axpy_reference(kA, x.values(), expected.values());

  cuda_axpy(kA, x, y);
  const float diff = max_abs_diff(y, expected);
  fmt::print("axpy tensor {}: max|gpu - cpu| = {:g}\n", shape_to_string(y.shape()), diff);
  CHECK(diff <= kTolerance);
}

// Argument checks and empty inputs touch no CUDA API, so these run on every machine.
TEST_CASE("cuda.axpy_argument_checks") {
  Tensor y({2, 3});
  CHECK_THROWS_AS(cuda_axpy(kA, Tensor({3, 2}), y), std::invalid_argument);

  Tensor empty_y({0, 4});
  CHECK_NOTHROW(cuda_axpy(kA, Tensor({0, 4}), empty_y));

  Tensor short_y({2});
  CHECK_THROWS_AS(axpy_reference(kA, Tensor({3}).values(), short_y.values()),
                  std::invalid_argument);
}

}  // namespace
}  // namespace slim
