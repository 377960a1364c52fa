// The int8 executor's cheap operators against the FP32 layers they stand for: quantize
// (exact), requantize (within one code), dequantize (exact), qadd (within one code, the
// simulation being QuantizedAdd::forward), max pooling, ReLU and flatten (exact), and
// the global average pool's integer mean (within one code; exact but for ties).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/layers/flatten.h"
#include "core/layers/pooling.h"
#include "core/layers/relu.h"
#include "core/quant/quantize_layer.h"
#include "core/quant/quantized_add.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/dequantize_op.h"
#include "kernels/int8/flatten_s8.h"
#include "kernels/int8/pooling_s8.h"
#include "kernels/int8/quantize_op.h"
#include "kernels/int8/quantized_add_op.h"
#include "kernels/int8/relu_s8.h"
#include "tests/cuda/skip.h"
#include "tests/quant/int8_test_support.h"

namespace slim {
namespace {

using namespace int8_testing;

Tensor forward(Layer& layer, const std::vector<const Tensor*>& inputs) {
  Tensor output;
  layer.forward(inputs, output, ForwardContext{Mode::kEval, nullptr});
  return output;
}

std::vector<int> codes_of(const Int8Tensor& t) {
  return {t.codes.begin(), t.codes.end()};
}

std::vector<int> codes_on_grid(const Tensor& reals, const ActivationQuant& quant) {
  std::vector<int> codes;
  for (const float v : reals.values()) codes.push_back(quantize_activation(v, quant));
  return codes;
}

TEST_CASE("quantize gives exactly the simulation's codes", "[int8]") {
  Rng rng(51);
  Tensor x({4, 50});
  for (float& v : x.values()) v = rng.normal(0.0f, 3.0f);
  // Values on exact ties of the grid, where the rounding mode decides.
  x[0] = 0.25f;
  x[1] = -0.75f;
  for (const Rounding rounding : {Rounding::kHalfToEven, Rounding::kHalfAwayFromZero}) {
    ActivationQuant quant = grid(0.5f, -3);
    quant.rounding = rounding;
    Int8Tensor codes;
    QuantizeOp(quant).run(x, codes);
    CHECK(codes.shape == x.shape());
    CHECK(codes.quant == quant);
    CHECK(codes_of(codes) == codes_on_grid(x, quant));
  }
}

// Every kind of float, with tails of every length: the AVX-512 variant's float steps and
// its NaN-keeping clamp must match the reference's code for code.
TEST_CASE("quantize: AVX-512 equals the reference", "[int8][int8_dispatch]") {
  if (const std::string why = avx512_unavailable_reason(); !why.empty()) {
    test::skip_test("quantize_values_avx512", why);
  }
  Rng rng(57);
  std::vector<float> values;
  for (int i = 0; i < 2000; ++i) values.push_back(rng.normal(0.0f, 40.0f));
  for (int k = -300; k <= 300; ++k) values.push_back(0.5f * static_cast<float>(k) * 0.0625f);
  const float special[] = {0.0f,     -0.0f,     1e-40f, -1e-40f, 3e38f,    -3e38f,
                           INFINITY, -INFINITY, NAN,    -NAN,    7.96875f, -8.03125f};
  values.insert(values.end(), std::begin(special), std::end(special));
  int64_t compared = 0;
  for (const ActivationQuant& quant :
       {grid(0.0625f, 0), grid(0.0431f, -7), grid(0.5f, 100).with_relu()}) {
    for (size_t length : {values.size(), size_t{1}, size_t{15}, size_t{17}, size_t{33}}) {
      const std::span<const float> part(values.data() + values.size() - length, length);
      std::vector<int8_t> want(length), got(length + 1, 99);
      quantize_values_reference(part, quant, want);
      quantize_values_avx512(part, quant, std::span<int8_t>(got.data(), length));
      INFO("scale " << quant.scale << ", " << length << " values");
      REQUIRE(got.back() == 99);  // nothing written past the end
      got.pop_back();
      CHECK(got == want);
      compared += static_cast<int64_t>(length);
    }
  }
  CHECK(compared > 7000);
  ActivationQuant away = grid(0.5f, 0);
  away.rounding = Rounding::kHalfAwayFromZero;
  std::vector<int8_t> codes(values.size());
  CHECK_THROWS_AS(quantize_values_avx512(values, away, codes), std::logic_error);
}

TEST_CASE("requantize moves codes to another grid within one code", "[int8]") {
  Rng rng(52);
  // Scales with no short decimal ratio, as calibration produces them: with round ratios
  // such as 0.3 many exact ties arise, which the float simulation then breaks at random.
  const ActivationQuant from = grid(0.0431f, 12);
  for (const ActivationQuant& to :
       {grid(0.1013f, -5), grid(0.0517f, 20), grid(0.0431f, 12).with_relu()}) {
    const Int8Tensor x = random_codes({3, 100}, from, rng);
    QuantizeLayer layer(to);
    const Tensor reals = reals_of(x);
    const Tensor simulated = forward(layer, {&reals});
    Int8Tensor y;
    RequantizeOp(from, to).run(x, y);
    check_agreement(agreement(y, simulated), "requantize");
  }
  // Equal grids: a copy.
  const Int8Tensor x = random_codes({2, 10}, from, rng);
  Int8Tensor y;
  RequantizeOp(from, from).run(x, y);
  CHECK(codes_of(y) == codes_of(x));
  CHECK_THROWS_AS(RequantizeOp(grid(0.5f, 0), from).run(x, y), std::logic_error);
}

TEST_CASE("dequantize gives exactly the reals (q - Z) * S", "[int8]") {
  Rng rng(53);
  const Int8Tensor x = random_codes({2, 3, 4}, grid(0.037f, -9), rng);
  Tensor y;
  dequantize(x, y);
  CHECK(y.shape() == x.shape);
  CHECK(max_abs_diff(y, reals_of(x)) == 0.0f);
}

TEST_CASE("qadd matches its simulation within one output code", "[int8]") {
  Rng rng(54);
  // Scales with no short decimal ratio (see the requantize test).
  const ActivationQuant lhs = grid(0.0313f, 5), rhs = grid(0.0687f, -20);
  for (const bool relu : {false, true}) {
    for (const ActivationQuant& out : {grid(0.1013f, 3), grid(0.0219f, -40), grid(0.3517f, 0)}) {
      const ActivationQuant output = relu ? out.with_relu() : out;
      QuantizedAdd layer(lhs, rhs, output, relu);
      const Int8Tensor a = random_codes({4, 3, 5, 5}, lhs, rng);
      const Int8Tensor b = random_codes({4, 3, 5, 5}, rhs, rng);
      const Tensor reals_a = reals_of(a), reals_b = reals_of(b);
      const Tensor simulated = forward(layer, {&reals_a, &reals_b});
      Int8Tensor y;
      QuantizedAddOp(layer).run(a, b, y);
      CHECK(y.quant == output);
      const CodeAgreement agreed = agreement(y, simulated);
      // The tighter output grid saturates often; the agreement bound still holds.
      WARN("qadd: " << agreed.exact << "/" << agreed.count << " exact, max diff " << agreed.max_diff
                    << ", " << agreed.saturated << " saturated");
      CHECK(agreed.max_diff <= 1);
      CHECK(agreed.exact >= agreed.count * 98 / 100);
    }
  }
  QuantizedAdd layer(lhs, rhs, grid(0.1f, 0), false);
  Int8Tensor y;
  CHECK_THROWS_AS(
      QuantizedAddOp(layer).run(random_codes({2}, rhs, rng), random_codes({2}, rhs, rng), y),
      std::logic_error);
}

// Every pair of codes, so every product, remainder and clamp the AVX-512 lanes can meet,
// for output grids that saturate both ways, clamp at a ReLU, and give the largest and
// smallest common shifts these scales allow; scales in powers of two make exact ties of
// both signs (half away from zero); and a length that leaves a partial step.
TEST_CASE("qadd: AVX-512 equals the reference on every pair of codes", "[int8][int8_dispatch]") {
  if (const std::string why = avx512_unavailable_reason(); !why.empty()) {
    test::skip_test("qadd (AVX-512)", why);
  }
  std::vector<int8_t> a, b;
  for (int i = -128; i < 128; ++i) {
    for (int j = -128; j < 128; ++j) {
      a.push_back(static_cast<int8_t>(i));
      b.push_back(static_cast<int8_t>(j));
    }
  }
  struct Grids {
    ActivationQuant lhs, rhs, out;
  };
  const ActivationQuant lhs = grid(0.0313f, 5), rhs = grid(0.0687f, -20);
  const std::vector<Grids> cases = {
      {lhs, rhs, grid(0.1013f, 3)},
      {lhs, rhs, grid(0.0219f, -40).with_relu()},
      {lhs, rhs, grid(0.3517f, 0)},
      {lhs, rhs, grid(40.0f, 127)},
      {lhs, rhs, grid(1e-4f, -128)},
      {grid(0.5f, 3), grid(0.25f, -7), grid(1.0f, 2)},
      {grid(0.5f, 0), grid(0.5f, 0), grid(2.0f, -1)},
  };
  for (const Grids& c : cases) {
    INFO("scales " << c.lhs.scale << ", " << c.rhs.scale << " -> " << c.out.scale);
    const QuantizedAddOp op(QuantizedAdd(c.lhs, c.rhs, c.out, false));
    for (const int64_t n : {static_cast<int64_t>(a.size()), int64_t{13}}) {
      std::vector<int8_t> want(static_cast<size_t>(n)), got(static_cast<size_t>(n) + 1, 99);
      op.add_reference(a.data(), b.data(), n, want.data());
      op.add_avx512(a.data(), b.data(), n, got.data());
      CHECK(got.back() == 99);  // nothing written past n
      got.pop_back();
      CHECK(got == want);
    }
  }
}

TEST_CASE("int8 max pooling, ReLU and flatten are exact on the input's grid", "[int8]") {
  Rng rng(55);
  const ActivationQuant quant = grid(0.02f, 17);
  const Int8Tensor x = random_codes({2, 3, 7, 6}, quant, rng);
  const Tensor reals = reals_of(x);
  for (const PoolOptions& options :
       {PoolOptions{2, 2, 0}, PoolOptions{3, 2, 1}, PoolOptions{3, 1, 1}}) {
    MaxPool2d layer(options);
    Int8Tensor y;
    maxpool2d_s8(options, x, y);
    CHECK(y.quant == quant);
    CHECK(max_abs_diff(reals_of(y), forward(layer, {&reals})) == 0.0f);
  }
  ReLU relu;
  Int8Tensor rectified;
  relu_s8(x, rectified);
  CHECK(max_abs_diff(reals_of(rectified), forward(relu, {&reals})) == 0.0f);
  Flatten flatten;
  Int8Tensor flat;
  flatten_s8(x, flat);
  CHECK(flat.shape == Shape{2, 3 * 7 * 6});
  CHECK(max_abs_diff(reals_of(flat), forward(flatten, {&reals})) == 0.0f);
}

TEST_CASE("int8 2x2 max pool: AVX-512 equals the reference", "[int8][int8_dispatch]") {
  if (const std::string why = avx512_unavailable_reason(); !why.empty()) {
    test::skip_test("maxpool_2x2_plane_avx512", why);
  }
  Rng rng(57);
  // Output widths across the 32-output step and its tails; odd input widths leave a
  // column no window reads; codes include -128 and 127.
  for (const int64_t out_w : {1, 2, 12, 31, 32, 33, 70}) {
    for (const int64_t extra : {0, 1, 5}) {
      const int64_t width = 2 * out_w + extra, out_h = 3;
      std::vector<int8_t> x(static_cast<size_t>(2 * out_h * width));
      for (int8_t& v : x) v = static_cast<int8_t>(static_cast<int>(rng.below(256)) - 128);
      std::vector<int8_t> want(static_cast<size_t>(out_h * out_w));
      std::vector<int8_t> got(want.size() + 1, 99);  // a guard byte past the plane
      maxpool_2x2_plane_reference(x.data(), width, out_h, out_w, want.data());
      maxpool_2x2_plane_avx512(x.data(), width, out_h, out_w, got.data());
      INFO("out_w " << out_w << ", width " << width);
      CHECK(got.back() == 99);
      got.pop_back();
      CHECK(got == want);
    }
  }
}

TEST_CASE("int8 global average pool: the integer mean on the same grid", "[int8]") {
  Rng rng(56);
  const ActivationQuant quant = grid(0.02f, -11);
  const Int8Tensor x = random_codes({5, 8, 6, 6}, quant, rng);
  GlobalAvgPool layer;
  const Tensor reals = reals_of(x);
  const Tensor mean = forward(layer, {&reals});
  Int8Tensor y;
  global_avgpool_s8(x, y);
  CHECK(y.shape == Shape{5, 8});
  check_agreement(agreement(y, mean), "global average pool");
  // A hand-made plane: codes - Z = {1, 2, 2, 2} has mean 1.75 -> 2; {-1, -1, -2, -2}
  // has mean -1.5 -> -2 (half away from zero).
  Int8Tensor small;
  small.resize({1, 2, 2, 2});
  small.quant = grid(1.0f, 10);
  small.codes = {11, 12, 12, 12, 9, 9, 8, 8};
  global_avgpool_s8(small, y);
  CHECK(codes_of(y) == std::vector<int>{12, 8});
}

}  // namespace
}  // namespace slim
