// QuantizedLinearOp and QuantizedConv2dOp (kernels/int8) against their layers' FP32
// fake-quant simulation (core/quant), on hand-built layers with random codes and scales.
// Static layers: every output code within 1 of the simulation's and nearly all equal.
// Dynamic layers: FP32 outputs equal up to float rounding. Cases cover per-tensor,
// per-channel and per-group weights, non-zero weight and input zero points, a fused
// ReLU, and conv padding (which must pad with the input's zero point).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/quant/quantized_conv2d.h"
#include "core/quant/quantized_linear.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "kernels/int8/quantized_conv2d_op.h"
#include "kernels/int8/quantized_gemm_layer.h"
#include "kernels/int8/quantized_linear_op.h"
#include "kernels/int8/requantize.h"
#include "tests/cuda/skip.h"
#include "tests/quant/int8_test_support.h"

namespace slim {
namespace {

using namespace int8_testing;

struct StaticCase {
  std::string name;
  WeightSpec weight;
  bool fused_relu = false;
};

std::vector<StaticCase> linear_cases() {
  return {
      {"per-tensor symmetric", {.rows = 12, .cols = 40, .per_tensor = true}},
      {"per-channel symmetric", {.rows = 12, .cols = 40}},
      {"per-channel asymmetric", {.rows = 12, .cols = 40, .asymmetric = true}},
      {"per-channel, fused ReLU", {.rows = 12, .cols = 40}, true},
      {"per-group symmetric", {.rows = 12, .cols = 48, .group_size = 16}},
      {"per-group asymmetric, short last group",
       {.rows = 12, .cols = 50, .group_size = 16, .asymmetric = true}},
      {"per-group asymmetric, fused ReLU",
       {.rows = 12, .cols = 64, .group_size = 8, .asymmetric = true},
       true},
  };
}

StaticScheme static_scheme(int64_t depth, bool fused_relu) {
  const ActivationQuant input = grid(0.05f, -7);
  ActivationQuant output = grid(output_scale_for(depth, input.scale, 0.0125f), 3);
  if (fused_relu) output = output.with_relu();
  return StaticScheme{.input = input, .output = output, .fused_relu = fused_relu};
}

Tensor simulate(Layer& layer, const Tensor& input) {
  Tensor output;
  const Tensor* inputs[1] = {&input};
  layer.forward(inputs, output, ForwardContext{Mode::kEval, nullptr});
  return output;
}

TEST_CASE("static qlinear matches its simulation within one output code", "[int8]") {
  Rng rng(41);
  for (const StaticCase& c : linear_cases()) {
    INFO(c.name);
    const StaticScheme scheme = static_scheme(c.weight.cols, c.fused_relu);
    const std::vector<float> bias = random_bias(c.weight.rows, 30.0f * scheme.output.scale, rng);
    QuantizedLinear layer(random_weight(c.weight, rng), bias, QuantScheme{.fixed = scheme});
    QuantizedLinearOp op(layer, selected_gemm_s8_kernel());
    const Int8Tensor x = random_codes({16, c.weight.cols}, scheme.input, rng);
    Int8Tensor y;
    op.run(x, y);
    CHECK(y.shape == Shape{16, c.weight.rows});
    CHECK(y.quant == scheme.output);
    check_agreement(agreement(y, simulate(layer, reals_of(x))), c.name.c_str());
  }
}

// Static per-group Linear layers on a variant with the fused per-group product: the same
// codes as one product per group and the separate output stage, for W8 and W4 (nibbles)
// weights, groups of 4 to 32 with a short last one, a fused ReLU, and batches that leave
// partial row blocks.
TEST_CASE("static per-group qlinear: the fused product equals one product per group",
          "[int8][int8_dispatch]") {
  const GemmS8Kernel& vnni = find_gemm_s8_kernel("avx512_vnni");
  if (const std::string why = vnni.unavailable_reason(); !why.empty()) {
    test::skip_test("the fused per-group product (avx512_vnni)", why);
  }
  Rng rng(43);
  const std::vector<StaticCase> cases = {
      {"W8, groups of 16", {.rows = 12, .cols = 48, .group_size = 16}},
      {"W8, groups of 4, short last group, fused ReLU",
       {.rows = 37, .cols = 50, .group_size = 4},
       true},
      {"W4, groups of 32 (lenet-5 fc1's grouping)",
       {.rows = 50, .cols = 800, .group_size = 32, .bits = 4}},
      {"W4, groups of 8, fused ReLU", {.rows = 10, .cols = 84, .group_size = 8, .bits = 4}, true},
  };
  for (const StaticCase& c : cases) {
    const StaticScheme scheme = static_scheme(c.weight.cols, c.fused_relu);
    const QuantScheme quant{.fixed = scheme};
    const auto weight = random_weight(c.weight, rng);
    const std::vector<float> bias = random_bias(c.weight.rows, 30.0f * scheme.output.scale, rng);
    QuantizedGemmLayer fused(*weight, bias, quant, vnni, /*linear=*/true);
    QuantizedGemmLayer apart(*weight, bias, quant, vnni, /*linear=*/false);
    REQUIRE(fused.fuses_groups());
    REQUIRE_FALSE(apart.fuses_groups());
    for (const int64_t batch : {int64_t{1}, int64_t{5}, int64_t{16}}) {
      INFO(c.name << ", batch " << batch);
      const Int8Tensor x = random_codes({batch, c.weight.cols}, scheme.input, rng);
      std::vector<int8_t> want(static_cast<size_t>(batch * c.weight.rows));
      std::vector<int8_t> got(want.size());
      apart.run_static(x.data(), batch, 1, want.data());
      fused.run_static(x.data(), batch, 1, got.data());
      CHECK(got == want);
    }
  }
}

// The per-group output stage: the AVX-512 rows equal the channel-by-channel reference on
// random accumulators and on the int32 extremes (so the int64 sums, the rounding of both
// signs and the clamps at both ends all occur), for channel counts that leave a partial
// step of 8, several group counts, a fused ReLU and output grids from fine to coarse.
TEST_CASE("per-group requantization: AVX-512 equals the reference", "[int8][int8_dispatch]") {
  if (const std::string why = avx512_unavailable_reason(); !why.empty()) {
    test::skip_test("per-group requantization (AVX-512)", why);
  }
  Rng rng(71);
  int64_t interior = 0, compared = 0;  // codes strictly inside the clamp, of all compared
  for (const int64_t channels : {int64_t{13}, int64_t{8}, int64_t{3}}) {
    for (const int64_t group_size : {int64_t{4}, int64_t{16}}) {
      for (const float output_scale : {0.002f, 0.3f, 40.0f}) {
        for (const bool relu : {false, true}) {
          INFO(channels << " channels, groups of " << group_size << ", S_y " << output_scale
                        << (relu ? ", ReLU" : ""));
          const auto weight =
              random_weight({.rows = channels, .cols = 48, .group_size = group_size}, rng);
          ActivationQuant output = grid(output_scale, -5);
          if (relu) output = output.with_relu();
          const StaticRequantizer requantizer(
              *weight, random_bias(channels, 3.0f, rng),
              StaticScheme{.input = grid(0.05f, 2), .output = output, .fused_relu = relu});
          REQUIRE(requantizer.groups() == 48 / group_size);
          // One row of accumulators, [groups][stride] with stride > channels, as
          // QuantizedGemm lays them out: one in 20 at each int32 extreme, the others of
          // a size that lands the sum within about 60 codes (S_w is about 0.0125).
          const int64_t stride = channels + 5;
          const auto typical = static_cast<int64_t>(
              60.0 * output_scale / (0.05 * 0.0125 * static_cast<double>(requantizer.groups())));
          std::vector<int32_t> acc(static_cast<size_t>(requantizer.groups() * stride));
          for (int32_t& a : acc) {
            const uint64_t pick = rng.below(20);
            a = pick == 0 ? std::numeric_limits<int32_t>::min()
                : pick == 1
                    ? std::numeric_limits<int32_t>::max()
                    : static_cast<int32_t>(static_cast<int64_t>(rng.below(static_cast<uint64_t>(
                                               std::min<int64_t>(2 * typical + 1, INT32_MAX)))) -
                                           typical);
          }
          std::vector<int8_t> want(static_cast<size_t>(channels));
          std::vector<int8_t> got(static_cast<size_t>(channels) + 1, 99);
          requantizer.requantize_grouped_row_reference(acc.data(), stride, want.data());
          requantizer.requantize_grouped_row_avx512(acc.data(), stride, got.data());
          CHECK(got.back() == 99);  // nothing written past the row
          got.pop_back();
          CHECK(got == want);
          for (const int8_t code : want) interior += code > output.qmin && code < output.qmax;
          compared += channels;
        }
      }
    }
  }
  // Not nearly every code saturated: the rounding itself was compared (a fifth inside).
  CHECK(interior * 5 > compared);

  // Group multipliers of 1, 1/2 and 1/4 (scales in powers of two): a quarter of the sums
  // end in exactly .5, of both signs, which random scales almost never produce.
  const int64_t channels = 11, group_size = 4, groups = 3;
  std::vector<float> scales(static_cast<size_t>(channels * groups));
  for (size_t i = 0; i < scales.size(); ++i) scales[i] = std::ldexp(1.0f, -static_cast<int>(i % 3));
  const QuantizedWeight weight(
      QuantRange{.bits = 8, .is_signed = true, .narrow = false}, Granularity::kPerGroup, channels,
      group_size * groups, group_size,
      std::vector<int8_t>(static_cast<size_t>(channels * group_size * groups)), scales,
      std::vector<int32_t>(scales.size(), 0));
  const StaticRequantizer requantizer(
      weight, {}, StaticScheme{.input = grid(1.0f, 0), .output = grid(1.0f, 0)});
  std::vector<int32_t> acc(static_cast<size_t>(groups * channels));
  int64_t ties = 0;
  for (int trial = 0; trial < 50; ++trial) {
    for (int32_t& a : acc) a = static_cast<int32_t>(rng.below(121)) - 60;
    for (int64_t o = 0; o < channels; ++o) {
      const int32_t quarters = 4 * acc[static_cast<size_t>(o)] +
                               2 * acc[static_cast<size_t>(channels + o)] +
                               acc[static_cast<size_t>(2 * channels + o)];
      ties += quarters % 4 == 2 || quarters % 4 == -2;
    }
    std::vector<int8_t> want(static_cast<size_t>(channels)), got(want.size());
    requantizer.requantize_grouped_row_reference(acc.data(), channels, want.data());
    requantizer.requantize_grouped_row_avx512(acc.data(), channels, got.data());
    CHECK(got == want);
  }
  CHECK(ties > 50);
}

TEST_CASE("static qlinear without bias and on a batch of one", "[int8]") {
  Rng rng(42);
  const StaticScheme scheme = static_scheme(33, false);
  QuantizedLinear layer(random_weight({.rows = 7, .cols = 33, .asymmetric = true}, rng), {},
                        QuantScheme{.fixed = scheme});
  QuantizedLinearOp op(layer, selected_gemm_s8_kernel());
  const Int8Tensor x = random_codes({1, 33}, scheme.input, rng);
  Int8Tensor y;
  op.run(x, y);
  const CodeAgreement a = agreement(y, simulate(layer, reals_of(x)));
  CHECK(a.max_diff <= 1);
}

TEST_CASE("static qlinear refuses codes on another grid", "[int8]") {
  Rng rng(43);
  const StaticScheme scheme = static_scheme(8, false);
  QuantizedLinear layer(random_weight({.rows = 2, .cols = 8}, rng), {},
                        QuantScheme{.fixed = scheme});
  QuantizedLinearOp op(layer, selected_gemm_s8_kernel());
  Int8Tensor y;
  CHECK_THROWS_AS(op.run(random_codes({2, 8}, grid(0.07f, -7), rng), y), std::logic_error);
  CHECK_THROWS_AS(op.run(random_codes({2, 8}, grid(0.05f, 0), rng), y), std::logic_error);
  Tensor real_out;
  CHECK_THROWS_AS(op.run(Tensor({2, 8}), real_out), std::logic_error);
}

// The dynamic path differs from the simulation only in how the FP32 sums are rounded.
void check_close(const Tensor& got, const Tensor& want, const char* what) {
  REQUIRE(got.shape() == want.shape());
  float worst = 0.0f, largest = 0.0f;
  for (int64_t i = 0; i < got.numel(); ++i) {
    worst = std::max(worst, std::fabs(got[i] - want[i]));
    largest = std::max(largest, std::fabs(want[i]));
  }
  WARN(what << ": max |y_int - y_sim| = " << worst << " (max |y_sim| = " << largest << ")");
  CHECK(worst <= 1e-5f * (1.0f + largest));
}

// The batch's grid comes from its extremes, found as std::minmax_element finds them; any
// non-finite value, wherever it sits, is an error rather than a grid.
TEST_CASE("dynamic input grids: the batch's extremes, and no grid from a non-finite input",
          "[int8]") {
  Rng rng(72);
  std::vector<float> batch(1001);
  for (float& v : batch) v = rng.normal(0.3f, 2.0f);
  const auto [lowest, highest] = std::minmax_element(batch.begin(), batch.end());
  const QuantRange kInt8{.bits = 8, .is_signed = true, .narrow = false};
  for (const DynamicRange range : {DynamicRange::kAbsMax, DynamicRange::kMinMax}) {
    const QuantParams want =
        range == DynamicRange::kAbsMax
            ? abs_max_params(std::max(std::fabs(*lowest), std::fabs(*highest)), kInt8)
            : min_max_params(*lowest, *highest, kInt8);
    CHECK(dynamic_input_quant(batch, range, Rounding::kHalfToEven) ==
          to_activation_quant(want, kInt8, Rounding::kHalfToEven));
  }
  for (const float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
        -std::numeric_limits<float>::infinity()}) {
    INFO("bad value " << bad);
    std::vector<float> spoiled = batch;
    spoiled[517] = bad;  // neither first nor last
    CHECK_THROWS_AS(dynamic_input_quant(spoiled, DynamicRange::kMinMax, Rounding::kHalfToEven),
                    std::runtime_error);
  }
}

TEST_CASE("dynamic qlinear matches its simulation up to float rounding", "[int8]") {
  Rng rng(44);
  for (const DynamicRange range : {DynamicRange::kAbsMax, DynamicRange::kMinMax}) {
    for (const WeightSpec& spec :
         {WeightSpec{.rows = 10, .cols = 37},
          WeightSpec{.rows = 10, .cols = 37, .asymmetric = true},
          WeightSpec{.rows = 10, .cols = 40, .group_size = 8, .asymmetric = true}}) {
      const QuantScheme scheme = dynamic_scheme(range);
      QuantizedLinear layer(random_weight(spec, rng), random_bias(spec.rows, 0.5f, rng), scheme);
      QuantizedLinearOp op(layer, selected_gemm_s8_kernel());
      Tensor x({6, spec.cols});
      // Shifted so that min_max picks a non-zero zero point.
      for (float& v : x.values()) v = rng.normal(0.7f, 1.0f);
      Tensor y;
      op.run(x, y);
      check_close(
          y, simulate(layer, x),
          range == DynamicRange::kAbsMax ? "dynamic qlinear, abs_max" : "dynamic qlinear, min_max");
    }
  }
}

struct ConvCase {
  std::string name;
  Conv2dOptions options;
  int64_t group_size = 0;
  bool asymmetric = false;
  bool fused_relu = false;
};

std::vector<ConvCase> conv_cases() {
  return {
      {"3x3, padding 1", {.in_channels = 3, .out_channels = 5, .kernel_size = 3, .padding = 1}},
      {"3x3, stride 2, padding 2, asymmetric weights",
       {.in_channels = 3, .out_channels = 5, .kernel_size = 3, .stride = 2, .padding = 2},
       0,
       true},
      {"5x5, no padding, fused ReLU",
       {.in_channels = 2, .out_channels = 4, .kernel_size = 5},
       0,
       false,
       true},
      {"3x3, padding 1, per-group (one group per input channel), asymmetric",
       {.in_channels = 4, .out_channels = 6, .kernel_size = 3, .padding = 1},
       9,
       true},
      {"1x1 without bias", {.in_channels = 8, .out_channels = 3, .kernel_size = 1, .bias = false}},
  };
}

TEST_CASE("static qconv2d matches its simulation within one output code", "[int8]") {
  Rng rng(45);
  for (const ConvCase& c : conv_cases()) {
    INFO(c.name);
    const Conv2dOptions& o = c.options;
    const int64_t depth = o.in_channels * o.kernel_size * o.kernel_size;
    // A zero point far from 0: padding with code 0 instead of Z_x would be caught.
    StaticScheme scheme = static_scheme(depth, c.fused_relu);
    scheme.input.zero_point = 40;
    const WeightSpec spec{.rows = o.out_channels,
                          .cols = depth,
                          .group_size = c.group_size,
                          .asymmetric = c.asymmetric};
    const std::vector<float> bias =
        o.bias ? random_bias(o.out_channels, 30.0f * scheme.output.scale, rng)
               : std::vector<float>{};
    QuantizedConv2d layer(o, random_weight(spec, rng), bias, QuantScheme{.fixed = scheme});
    QuantizedConv2dOp op(layer, selected_gemm_s8_kernel());
    const Int8Tensor x = random_codes({2, o.in_channels, 9, 8}, scheme.input, rng);
    Int8Tensor y;
    op.run(x, y);
    const Tensor simulated = simulate(layer, reals_of(x));
    CHECK(y.shape == simulated.shape());
    check_agreement(agreement(y, simulated), c.name.c_str());
  }
}

// A batch whose images each fill a whole pass (46 x 46 = 2116 output pixels, more than
// the ~2048 GEMM rows of a pass) is taken a few images at a time: the codes must equal
// those of the images run one by one.
TEST_CASE("static qconv2d in several passes equals the images run one by one", "[int8]") {
  Rng rng(47);
  const Conv2dOptions o{.in_channels = 2, .out_channels = 7, .kernel_size = 3};
  StaticScheme scheme = static_scheme(18, false);
  scheme.input.zero_point = -20;
  const WeightSpec spec{.rows = 7, .cols = 18};
  QuantizedConv2d layer(o, random_weight(spec, rng),
                        random_bias(7, 3.0f * scheme.output.scale, rng),
                        QuantScheme{.fixed = scheme});
  QuantizedConv2dOp op(layer, selected_gemm_s8_kernel());
  const int64_t batch = 5, image_codes = 2 * 48 * 48;
  const Int8Tensor x = random_codes({batch, 2, 48, 48}, scheme.input, rng);
  Int8Tensor whole;
  op.run(x, whole);
  REQUIRE(whole.shape == Shape{batch, 7, 46, 46});
  const int64_t image_out = 7 * 46 * 46;
  for (int64_t n = 0; n < batch; ++n) {
    Int8Tensor one;
    one.resize({1, 2, 48, 48});
    one.quant = x.quant;
    std::copy_n(x.data() + n * image_codes, image_codes, one.data());
    Int8Tensor alone;
    op.run(one, alone);
    INFO("image " << n);
    CHECK(std::equal(alone.data(), alone.data() + image_out, whole.data() + n * image_out));
  }
}

TEST_CASE("dynamic qconv2d matches its simulation up to float rounding", "[int8]") {
  Rng rng(46);
  for (const DynamicRange range : {DynamicRange::kAbsMax, DynamicRange::kMinMax}) {
    const Conv2dOptions o{.in_channels = 3, .out_channels = 4, .kernel_size = 3, .padding = 1};
    const WeightSpec spec{.rows = 4, .cols = 27, .group_size = 9, .asymmetric = true};
    QuantizedConv2d layer(o, random_weight(spec, rng), random_bias(4, 0.5f, rng),
                          dynamic_scheme(range));
    QuantizedConv2dOp op(layer, selected_gemm_s8_kernel());
    Tensor x({3, 3, 7, 7});
    for (float& v : x.values()) v = rng.normal(0.7f, 1.0f);
    Tensor y;
    op.run(x, y);
    check_close(
        y, simulate(layer, x),
        range == DynamicRange::kAbsMax ? "dynamic qconv2d, abs_max" : "dynamic qconv2d, min_max");
  }
}

}  // namespace
}  // namespace slim
