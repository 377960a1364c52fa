// Forward values of ReLU and of max pooling's 2x2 fast path against plain loops written
// here, on inputs with the awkward cases: ties inside a window, NaNs, negative zeros.
// (Their gradients are checked in layer_gradient_test.cpp, and their agreement with
// PyTorch in torch_fixture_test.cpp.)
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/layer.h"
#include "core/layers/pooling.h"
#include "core/layers/relu.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace slim {
namespace {

const ForwardContext kEval{Mode::kEval, nullptr};
const ForwardContext kTrain{Mode::kTrain, nullptr};

// Values from a small set, so that windows hold ties, plus a few NaNs.
Tensor awkward_tensor(const Shape& shape, uint64_t seed) {
  Tensor t(shape);
  Rng rng(seed);
  const float choices[] = {-2.0f, -0.0f, 0.0f, 1.0f, 1.0f, 3.0f};
  for (float& v : t.values()) v = choices[rng.below(6)];
  for (int i = 0; i < 3; ++i) t[static_cast<int64_t>(rng.below(t.numel()))] = NAN;
  return t;
}

// Through the public Layer interface.
void forward(Layer& layer, const Tensor& x, Tensor& y, const ForwardContext& context) {
  const Tensor* inputs[] = {&x};
  layer.forward(inputs, y, context);
}

bool same_float(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

TEST_CASE("relu forward: max(x, 0) elementwise, NaN kept", "[layers]") {
  const Tensor x = awkward_tensor({3, 2, 5, 7}, 1);
  ReLU relu;
  Tensor y;
  forward(relu, x, y, kEval);
  REQUIRE(y.shape() == x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float want = std::isnan(x[i]) ? x[i] : (x[i] < 0.0f ? 0.0f : x[i]);
    INFO("element " << i << ": " << x[i]);
    CHECK(same_float(y[i], want));
  }
}

// The general window rule (bounds-checked, first maximum wins, a NaN only as the window's
// first element), written as plainly as possible, for 2x2 stride-2 windows.
TEST_CASE("max pool 2x2 fast path: the general rule's values, and gradients to its argmax",
          "[layers]") {
  const int64_t planes = 6, height = 8, width = 9;  // odd width: the last column is unused
  const Tensor x = awkward_tensor({2, 3, height, width}, 2);
  MaxPool2d pool(PoolOptions{2, 2, 0});
  Tensor y;
  forward(pool, x, y, kTrain);
  REQUIRE(y.shape() == Shape{2, 3, 4, 4});
  std::vector<int64_t> argmax;
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t oh = 0; oh < 4; ++oh) {
      for (int64_t ow = 0; ow < 4; ++ow) {
        float best = -std::numeric_limits<float>::infinity();
        int64_t best_index = -1;
        for (int64_t kh = 0; kh < 2; ++kh) {
          for (int64_t kw = 0; kw < 2; ++kw) {
            const int64_t index = p * height * width + (2 * oh + kh) * width + 2 * ow + kw;
            if (best_index < 0 || x[index] > best) {
              best = x[index];
              best_index = index;
            }
          }
        }
        const int64_t out = (p * 4 + oh) * 4 + ow;
        INFO("plane " << p << ", output " << oh << "," << ow);
        CHECK(same_float(y[out], best));
        argmax.push_back(best_index);
      }
    }
  }
  // Backward sends each output's gradient to the element chosen above.
  Tensor grad_out(y.shape());
  for (int64_t i = 0; i < grad_out.numel(); ++i) grad_out[i] = static_cast<float>(i + 1);
  Tensor grad_in;
  Tensor* grads[] = {&grad_in};
  pool.backward(grad_out, grads);
  Tensor want(x.shape(), 0.0f);
  for (size_t i = 0; i < argmax.size(); ++i) want[argmax[i]] += grad_out[static_cast<int64_t>(i)];
  for (int64_t i = 0; i < x.numel(); ++i) {
    INFO("input " << i);
    CHECK(grad_in[i] == want[i]);
  }
}

}  // namespace
}  // namespace slim
