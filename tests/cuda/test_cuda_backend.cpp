// The `cuda` inference backend (cuBLAS FP32 through the graph executor) against
// Model::forward, and the device operand cache under it.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/train/init.h"
#include "kernels/backend.h"
#include "kernels/cuda/cuda_device.h"
#include "kernels/cuda/cuda_fp32_backend.h"
#include "kernels/cuda/device_operand_cache.h"
#include "models/zoo.h"
#include "tests/cuda/gemm_test_data.h"
#include "tests/cuda/require_device.h"

namespace slim {
namespace {

// As for the CPU backends (tests/kernels/backend_zoo_test.cpp): FP32 with another
// summation order than Model::forward, so logits differ by reassociation only.
constexpr float kAtol = 1e-4f;
constexpr float kRtol = 1e-4f;

Tensor random_images(int64_t batch, uint64_t seed) {
  return Tensor({batch, 1, 28, 28}, test::uniform_floats(batch * 28 * 28, seed));
}

float worst_excess(const Tensor& want, const Tensor& got, float* max_abs_diff) {
  float excess = 0.0f;
  for (int64_t i = 0; i < want.numel(); ++i) {
    const float diff = std::abs(got[i] - want[i]);
    *max_abs_diff = std::max(*max_abs_diff, diff);
    // Written so that a NaN fails.
    if (!(diff <= kAtol + kRtol * std::abs(want[i]))) excess = std::max(excess, diff);
    if (std::isnan(diff)) excess = INFINITY;
  }
  return excess;
}

// Runs every time: on a machine without a GPU the backend is listed but says why it
// cannot run, and the harness refuses it with that reason.
TEST_CASE("cuda.backend_reports_availability") {
  const Backend& backend = find_backend("cuda");
  const std::string why = backend.unavailable_reason();
  fmt::print("cuda backend: {}\n  unavailable: {}\n", backend.description,
             why.empty() ? "no (a device is usable)" : why);
  CHECK(why == cuda_backend_unavailable_reason());
  CHECK(why.empty() == (cuda_device_count() > 0));
  CHECK(backend.description.find("copies") != std::string::npos);
}

// Sweeps read a GPU backend's energy from the device, not from the host's RAPL counter:
// the backend opens its NVML meter, or says why it cannot (no driver here).
TEST_CASE("cuda.backend_opens_the_gpu_energy_meter") {
  const Backend& backend = find_backend("cuda");
  REQUIRE(backend.open_energy_meter);
  std::string why;
  const std::unique_ptr<EnergyMeter> meter = backend.open_energy_meter(&why);
  if (meter == nullptr) {
    fmt::print("cuda backend energy: unavailable: {}\n", why);
    CHECK_FALSE(why.empty());
  } else {
    fmt::print("cuda backend energy: {}\n", meter->source());
    CHECK(meter->source() == "nvml");
    CHECK(meter->joules() >= 0.0);
  }
  // CPU backends leave energy to the host's counter.
  CHECK_FALSE(find_backend("openblas").open_energy_meter);
}

// Conv layers pass their weights as A and their im2col patches as B, at an address
// that stays the same from run to run: new inputs at the same batch size would expose
// a cache that trusted pointers, and changing batch sizes resize every buffer.
TEST_CASE("cuda.backend_matches_model_forward") {
  test::require_cuda_device();
  const Backend& backend = find_backend("cuda");
  for (const std::string_view name : {"lenet-5", "resnet-8", "lenet-300-100"}) {
    Model model = find_model(name).build({1, 28, 28}, 10);
    Rng rng(3);
    init_parameters(model, rng);
    const auto plan = backend.lower(model);
    float max_abs_diff = 0.0f;
    uint64_t seed = 40;
    for (const int64_t batch : {4, 4, 1, 7, 4}) {
      const Tensor input = random_images(batch, ++seed);
      const Tensor want = model.forward(input, ForwardContext{Mode::kEval, nullptr});
      const Tensor& got = plan->run(input);
      REQUIRE(got.shape() == Shape{batch, 10});
      INFO(name << " batch " << batch << " (input seed " << seed << ")");
      CHECK(worst_excess(want, got, &max_abs_diff) == 0.0f);
    }
    fmt::print("cuda backend, {}: max|logits diff| = {:.3g} over batches 4, 4, 1, 7, 4\n", name,
               max_abs_diff);
  }
}

TEST_CASE("cuda.operand_cache_reuses_constant_bytes_only") {
  test::require_cuda_device();
  DeviceOperandCache cache;
  std::vector<float> weights = test::uniform_floats(12, 1);
  std::vector<float> activations = test::uniform_floats(6, 2);
  std::vector<float> product(8);
  const auto prepare = [&] {
    return cache.prepare(activations.data(), activations.size(), weights.data(), weights.size(),
                         product.data(), product.size());
  };
  prepare();
  CHECK(cache.stats().uploaded == 2);

  prepare();  // nothing changed: both reused
  CHECK(cache.stats().reused == 2);
  CHECK(cache.stats().uploaded == 2);

  activations[3] += 1.0f;  // same address, new bytes: uploaded, weights still reused
  const DeviceGemmOperands operands = prepare();
  CHECK(cache.stats().uploaded == 3);
  CHECK(cache.stats().reused == 3);
  std::vector<float> on_device(activations.size());
  detail::copy_to_host(on_device.data(), operands.a, on_device.size() * sizeof(float));
  CHECK(on_device == activations);

  prepare();  // known to change now: uploaded without comparing
  CHECK(cache.stats().uploaded == 4);
  CHECK(cache.stats().device_bytes == (12 + 6 + 8) * sizeof(float));
}

TEST_CASE("cuda.operand_cache_respects_its_capacity") {
  test::require_cuda_device();
  DeviceOperandCache cache(64 * sizeof(float));
  const std::vector<float> first = test::uniform_floats(32, 3);
  const std::vector<float> second = test::uniform_floats(32, 4);
  std::vector<float> out(16);
  cache.prepare(first.data(), first.size(), first.data(), first.size(), out.data(), out.size());
  CHECK(cache.stats().device_bytes == (32 + 16) * sizeof(float));
  // 32 more floats would pass 64: everything is dropped first.
  cache.prepare(second.data(), second.size(), second.data(), second.size(), out.data(), out.size());
  CHECK(cache.stats().evictions == 1);
  CHECK(cache.stats().device_bytes == (32 + 16) * sizeof(float));
}

}  // namespace
}  // namespace slim
