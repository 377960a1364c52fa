// bias_relu_max_pool_2x2 (kernels/ops/pooled_conv_output.h): the reference gives exactly
// what the unfused layers give (the scatter's x + bias, the ReLU layer, the MaxPool2d
// layer), and the AVX-512 and AVX2 variants exactly what the reference gives, bit for
// bit, with NaN, signed zeros and ties at every position of a window.
#include "kernels/ops/pooled_conv_output.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/layers/pooling.h"
#include "core/layers/relu.h"
#include "core/tensor.h"
#include "kernels/int8/cpu_features.h"
#include "tests/cuda/skip.h"

namespace slim {
namespace {

// Values that make the order of the window's chain visible: NaN (only a first NaN
// survives the chain), zeros of both signs and repeats (the first of equal values wins),
// and negatives that the ReLU maps to +0. The rest are small integers, so many windows
// hold ties.
std::vector<float> awkward_plane(int64_t height, int64_t width, uint64_t seed) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), -0.0f, 0.0f, -1.0f, 2.0f,
                            -std::numeric_limits<float>::infinity()};
  std::vector<float> plane(static_cast<size_t>(height * width));
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 7;
  for (float& v : plane) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const auto r = static_cast<uint32_t>(state >> 33);
    v = r % 3 == 0 ? specials[r / 3 % 6] : static_cast<float>(static_cast<int>(r % 7) - 3);
  }
  return plane;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::vector<float> pooled(void (*variant)(const PooledPlane&), const std::vector<float>& plane,
                          int64_t height, int64_t width, float bias, bool relu) {
  std::vector<float> out(static_cast<size_t>((height / 2) * (width / 2)), 1234.5f);
  variant({plane.data(), height, width, bias, relu, out.data()});
  return out;
}

// What the graph runs without fusion: x + bias into a tensor, the ReLU layer, then the
// MaxPool2d layer.
std::vector<float> unfused(const std::vector<float>& plane, int64_t height, int64_t width,
                           float bias, bool relu) {
  Tensor x({1, 1, height, width});
  for (size_t i = 0; i < plane.size(); ++i) x.data()[i] = plane[i] + bias;
  Tensor activated;
  if (relu) {
    ReLU layer;
    const Tensor* inputs[1] = {&x};
    layer.forward(inputs, activated, ForwardContext{});
  }
  MaxPool2d pool(PoolOptions{2, 2, 0});
  const Tensor* pool_input[1] = {relu ? &activated : &x};
  Tensor y;
  pool.forward(pool_input, y, ForwardContext{});
  return std::vector<float>(y.data(), y.data() + y.numel());
}

const float kBiases[] = {0.0f, -0.0f, 1.5f, -2.0f};

}  // namespace

TEST_CASE("the pooled conv output's reference equals bias, ReLU and MaxPool2d unfused",
          "[pooled_conv_output]") {
  int cases = 0;
  for (const int64_t height : {2, 3, 8, 9}) {
    for (const int64_t width : {2, 5, 8, 24, 33}) {
      for (const float bias : kBiases) {
        for (const bool relu : {false, true}) {
          const std::vector<float> plane = awkward_plane(height, width, 100 * height + width);
          INFO(height << "x" << width << " bias " << bias << " relu " << relu);
          CHECK(
              same_bits(pooled(bias_relu_max_pool_2x2_reference, plane, height, width, bias, relu),
                        unfused(plane, height, width, bias, relu)));
          ++cases;
        }
      }
    }
  }
  CHECK(cases == 160);
}

// A window whose third value is NaN and fourth the largest: the chain skips the NaN and
// takes the fourth, where a maximum of the two rows' maxima would lose it.
TEST_CASE("the pooled conv output keeps the window's chain order", "[pooled_conv_output]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> plane = {1.0f, 2.0f,  //
                                    nan, 5.0f};
  for (auto* variant : {bias_relu_max_pool_2x2_reference, bias_relu_max_pool_2x2}) {
    CHECK(pooled(variant, plane, 2, 2, 0.0f, true) == std::vector<float>{5.0f});
  }
  const std::vector<float> first_nan = {nan, 2.0f, 3.0f, 5.0f};
  CHECK(std::isnan(pooled(bias_relu_max_pool_2x2, first_nan, 2, 2, 0.0f, false)[0]));
}

namespace {

// Widths around 8, 16 and 32 windows (the vectors' outputs and inputs), LeNet's 24 and 8,
// and odd ones whose last column is dropped; both biases' zeros; with and without ReLU.
int check_equals_reference(void (*variant)(const PooledPlane&)) {
  int cases = 0;
  for (const int64_t height : {2, 3, 8, 24, 25}) {
    for (int64_t width = 2; width <= 70; ++width) {
      for (const float bias : kBiases) {
        for (const bool relu : {false, true}) {
          const std::vector<float> plane = awkward_plane(height, width, 7 * height + width);
          INFO(height << "x" << width << " bias " << bias << " relu " << relu);
          CHECK(same_bits(
              pooled(variant, plane, height, width, bias, relu),
              pooled(bias_relu_max_pool_2x2_reference, plane, height, width, bias, relu)));
          ++cases;
        }
      }
    }
  }
  return cases;
}

}  // namespace

TEST_CASE("the AVX-512 pooled conv output equals the reference bit for bit",
          "[pooled_conv_output]") {
  if (const std::string why = avx512_unavailable_reason(); !why.empty()) {
    test::skip_test("bias_relu_max_pool_2x2_avx512", why);
  }
  CHECK(check_equals_reference(bias_relu_max_pool_2x2_avx512) == 5 * 69 * 8);
}

TEST_CASE("the AVX2 pooled conv output equals the reference bit for bit", "[pooled_conv_output]") {
  if (const std::string why = avx2_unavailable_reason(); !why.empty()) {
    test::skip_test("bias_relu_max_pool_2x2_avx2", why);
  }
  CHECK(check_equals_reference(bias_relu_max_pool_2x2_avx2) == 5 * 69 * 8);
}

}  // namespace slim
