// lower_int8 (kernels/int8/int8_executor.h) on small hand-built quantized models against
// Model::forward, whose quantized layers run their FP32 fake-quant simulation: integer
// models agree within one code of the output grid; mixed models (FP32 first or last
// layer, implicit quantize/dequantize boundaries), dynamic layers, qadd residuals and the
// global average pool are covered, and so are the errors lowering must raise.
#include "kernels/int8/int8_executor.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/layers/conv2d.h"
#include "core/layers/flatten.h"
#include "core/layers/linear.h"
#include "core/layers/pooling.h"
#include "core/layers/relu.h"
#include "core/quant/quantize_layer.h"
#include "core/quant/quantized_add.h"
#include "core/quant/quantized_conv2d.h"
#include "core/quant/quantized_linear.h"
#include "kernels/backend.h"
#include "kernels/cpu/gemm_openblas.h"
#include "tests/quant/int8_test_support.h"

namespace slim {
namespace {

using namespace int8_testing;

constexpr float kWeightScale = 0.0125f;  // the mean of random_weight's scales

Tensor random_images(int64_t batch, int64_t channels, int64_t size, uint64_t seed) {
  Rng rng(seed);
  Tensor x({batch, channels, size, size});
  for (float& v : x.values()) v = rng.normal();
  return x;
}

StaticScheme scheme_for(const ActivationQuant& input, int64_t depth, bool relu) {
  ActivationQuant output = grid(output_scale_for(depth, input.scale, kWeightScale), -4);
  if (relu) output = output.with_relu();
  return StaticScheme{.input = input, .output = output, .fused_relu = relu};
}

// Asymmetric weights by default, which keep the layer on the im2row path; symmetric ones
// let it take the direct VNNI convolution where the CPU has one.
std::unique_ptr<QuantizedConv2d> static_conv(const Conv2dOptions& options,
                                             const StaticScheme& scheme, Rng& rng,
                                             bool asymmetric = true) {
  const int64_t depth = options.in_channels * options.kernel_size * options.kernel_size;
  const WeightSpec spec{.rows = options.out_channels, .cols = depth, .asymmetric = asymmetric};
  return std::make_unique<QuantizedConv2d>(
      options, random_weight(spec, rng),
      random_bias(options.out_channels, 20.0f * scheme.output.scale, rng),
      QuantScheme{.fixed = scheme});
}

std::unique_ptr<QuantizedLinear> static_linear(int64_t in, int64_t out, const StaticScheme& scheme,
                                               Rng& rng, int64_t group_size = 0) {
  return std::make_unique<QuantizedLinear>(
      random_weight({.rows = out, .cols = in, .group_size = group_size}, rng),
      random_bias(out, 20.0f * scheme.output.scale, rng), QuantScheme{.fixed = scheme});
}

// quantize -> qconv2d(ReLU) -> maxpool2d -> flatten -> qlinear -> dequantize, on 1x10x10.
struct IntegerCnn {
  Model model{"int8-cnn", {1, 10, 10}, 10};
  ActivationQuant output_grid;
};

IntegerCnn integer_cnn(uint64_t seed, int64_t group_size = 0) {
  Rng rng(seed);
  IntegerCnn net;
  const ActivationQuant input = grid(0.025f, -10);
  const StaticScheme conv = scheme_for(input, 9, true);
  const StaticScheme fc = scheme_for(conv.output, 100, false);
  net.output_grid = fc.output;
  net.model.add("quant", std::make_unique<QuantizeLayer>(input));
  net.model.add("conv",
                static_conv({.in_channels = 1, .out_channels = 4, .kernel_size = 3, .padding = 1},
                            conv, rng));
  net.model.add("pool", std::make_unique<MaxPool2d>(PoolOptions{2, 2, 0}));
  net.model.add("flat", std::make_unique<Flatten>());
  net.model.add("fc", static_linear(100, 10, fc, rng, group_size));
  net.model.add("dequant", std::make_unique<DequantizeLayer>(fc.output));
  return net;
}

// Every output within one code of the output grid's step, and nearly all exact.
void check_within_one_code(const Tensor& got, const Tensor& want, float step, const char* what) {
  REQUIRE(got.shape() == want.shape());
  int64_t exact = 0;
  float worst = 0.0f;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const float diff = std::fabs(got[i] - want[i]);
    worst = std::max(worst, diff);
    exact += diff <= 1e-3f * step;
  }
  WARN(what << ": " << exact << "/" << got.numel()
            << " outputs exact, max |diff| = " << worst / step << " codes");
  CHECK(worst <= step * 1.001f);
  CHECK(exact >= got.numel() * 95 / 100);
}

Tensor simulate(Model& model, const Tensor& input) {
  return model.forward(input, ForwardContext{Mode::kEval, nullptr});
}

TEST_CASE("an integer CNN lowered to int8 matches Model::forward within one code", "[int8]") {
  for (const int64_t group_size : {int64_t{0}, int64_t{25}}) {
    IntegerCnn net = integer_cnn(61, group_size);
    const auto plan = lower_int8(net.model, gemm_openblas);
    for (const int64_t batch : {int64_t{8}, int64_t{1}, int64_t{8}}) {
      const Tensor x = random_images(batch, 1, 10, 100 + static_cast<uint64_t>(batch));
      const Tensor& got = plan->run(x);
      CHECK(got.shape() == Shape{batch, 10});
      check_within_one_code(got, simulate(net.model, x), net.output_grid.scale,
                            group_size ? "int8 CNN, per-group fc" : "int8 CNN");
    }
  }
}

TEST_CASE("the int8 backend is listed and runs quantized models", "[int8]") {
  IntegerCnn net = integer_cnn(62);
  const Backend& backend = find_backend("int8");
  CHECK(backend.unavailable_reason().empty());
  CHECK(backend.description.find("INT8") != std::string::npos);
  const Tensor x = random_images(4, 1, 10, 7);
  const Tensor want = simulate(net.model, x);
  check_within_one_code(backend.lower(net.model)->run(x), want, net.output_grid.scale,
                        "int8 backend");
  // The FP32 backends run the same model as its simulation.
  const auto fp32_plan = find_backend("openblas").lower(net.model);
  CHECK(max_abs_diff(fp32_plan->run(x), want) <= 1e-5f);
}

TEST_CASE("an int8 plan keeps its own weights and reuses its buffers", "[int8]") {
  auto net = std::make_unique<IntegerCnn>(integer_cnn(63));
  const auto plan = lower_int8(net->model, gemm_openblas);
  const Tensor x = random_images(3, 1, 10, 9);
  const Tensor before = plan->run(x);
  net.reset();
  const float* buffer = plan->run(x).data();
  const Tensor& after = plan->run(x);
  CHECK(after.data() == buffer);
  CHECK(max_abs_diff(before, after) == 0.0f);
}

// FP32 conv first, FP32 linear last: quantize after the first layer, and an implicit
// dequantize where the int8 flatten feeds the FP32 linear.
TEST_CASE("a mixed-precision model runs FP32 layers around the integer ones", "[int8]") {
  Rng rng(64);
  Model model("mixed", {1, 10, 10}, 10);
  auto conv0 = std::make_unique<Conv2d>(
      Conv2dOptions{.in_channels = 1, .out_channels = 3, .kernel_size = 3, .padding = 1});
  for (float& w : conv0->weight().value.values()) w = rng.normal(0.0f, 0.3f);
  for (float& b : conv0->bias().value.values()) b = rng.normal(0.0f, 0.1f);
  auto fc = std::make_unique<Linear>(100, 10);
  for (float& w : fc->weight().value.values()) w = rng.normal(0.0f, 0.1f);
  const ActivationQuant input = grid(0.02f, 5);
  const StaticScheme conv = scheme_for(input, 27, true);
  model.add("conv0", std::move(conv0));
  model.add("quant", std::make_unique<QuantizeLayer>(input));
  model.add("conv1",
            static_conv({.in_channels = 3, .out_channels = 4, .kernel_size = 3, .padding = 1}, conv,
                        rng));
  model.add("pool", std::make_unique<MaxPool2d>(PoolOptions{2, 2, 0}));
  model.add("flat", std::make_unique<Flatten>());
  model.add("fc", std::move(fc));

  const auto plan = lower_int8(model, gemm_openblas);
  const Tensor x = random_images(6, 1, 10, 12);
  const Tensor& got = plan->run(x);
  const Tensor want = simulate(model, x);
  REQUIRE(got.shape() == want.shape());
  // A flipped code of the int8 activations moves a logit by at most S * |w| for that
  // input; with codes nearly always equal, logits agree to float rounding.
  int64_t close = 0;
  float worst = 0.0f;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const float diff = std::fabs(got[i] - want[i]);
    worst = std::max(worst, diff);
    close += diff <= 1e-4f * (1.0f + std::fabs(want[i]));
  }
  WARN("mixed model: " << close << "/" << got.numel()
                       << " logits equal to float rounding, max |diff| = " << worst);
  CHECK(worst <= 3.0f * conv.output.scale * 0.3f);
  CHECK(close >= got.numel() * 80 / 100);
}

// A residual block: qadd of two int8 branches on different grids, a fused ReLU, the
// integer global average pool, a same-grid quantize (a copy), and an int8 output that
// the executor dequantizes itself.
// quant -> c1 -> c2 -> qadd(c2, c1) -> global average pool -> requantize -> fc, on 2x8x8.
struct ResidualNet {
  Model model{"residual", {2, 8, 8}, 6};
  ActivationQuant output_grid;
};

ResidualNet residual_net(uint64_t seed) {
  Rng rng(seed);
  ResidualNet net;
  const ActivationQuant input = grid(0.025f, 0);
  const StaticScheme c1 = scheme_for(input, 18, true);
  const StaticScheme c2 = scheme_for(c1.output, 36, false);
  const ActivationQuant sum = grid(1.5f * c2.output.scale, -6).with_relu();
  const StaticScheme fc = scheme_for(sum, 4, false);
  net.output_grid = fc.output;
  Model& model = net.model;
  model.add("quant", std::make_unique<QuantizeLayer>(input));
  model.add("c1", static_conv({.in_channels = 2, .out_channels = 4, .kernel_size = 3, .padding = 1},
                              c1, rng));
  model.add("c2", static_conv({.in_channels = 4, .out_channels = 4, .kernel_size = 3, .padding = 1},
                              c2, rng));
  model.add("add", std::make_unique<QuantizedAdd>(c2.output, c1.output, sum, true), {"c2", "c1"});
  model.add("gap", std::make_unique<GlobalAvgPool>());
  model.add("requant", std::make_unique<QuantizeLayer>(sum));
  model.add("fc", static_linear(4, 6, fc, rng));
  return net;
}

TEST_CASE("a residual int8 model with qadd and global average pool", "[int8]") {
  ResidualNet net = residual_net(65);
  const auto plan = lower_int8(net.model, gemm_openblas);
  const Tensor x = random_images(16, 2, 8, 13);
  check_within_one_code(plan->run(x), simulate(net.model, x), net.output_grid.scale,
                        "residual model");
}

// The residual model, whose every step is per image: in chunks of 4 images (two full chunks and
// a last one of 3 for a batch of 11; one chunk for 4; fewer images than a chunk for 3)
// the plan gives the whole batch's outputs bit for bit, and reuses its buffers.
TEST_CASE("an int8 plan run in chunks of images gives the whole batch's output", "[int8]") {
  const ResidualNet net = residual_net(70);
  const Model& model = net.model;
  const GemmS8Kernel& gemm = selected_gemm_s8_kernel();
  const auto whole = lower_int8(model, gemm_openblas, gemm, GraphOptions{.batch_chunk = 0});
  const auto chunked = lower_int8(model, gemm_openblas, gemm, GraphOptions{.batch_chunk = 4});
  for (const int64_t batch : {int64_t{11}, int64_t{4}, int64_t{3}, int64_t{11}}) {
    INFO("batch " << batch);
    const Tensor x = random_images(batch, 2, 8, 300 + static_cast<uint64_t>(batch));
    const Tensor want = whole->run(x);
    const Tensor& got = chunked->run(x);
    REQUIRE(got.shape() == want.shape());
    CHECK(max_abs_diff(got, want) == 0.0f);
  }
  const Tensor x = random_images(11, 2, 8, 311);
  const float* buffer = chunked->run(x).data();
  CHECK(chunked->run(x).data() == buffer);
}

// A dynamic layer's grid is its whole batch's, so a plan with one runs batches whole: in
// chunks, the image with the wide range would change the other chunks' grids.
TEST_CASE("an int8 plan with a dynamic layer is not split into chunks", "[int8]") {
  Rng rng(71);
  Model model("dynamic", {36}, 5);  // the layer reads the model input: no FP32 op before it
  model.add("fc", std::make_unique<QuantizedLinear>(random_weight({.rows = 5, .cols = 36}, rng),
                                                    random_bias(5, 0.1f, rng),
                                                    dynamic_scheme(DynamicRange::kMinMax)));
  const auto whole =
      lower_int8(model, gemm_openblas, selected_gemm_s8_kernel(), GraphOptions{.batch_chunk = 0});
  const auto asked =
      lower_int8(model, gemm_openblas, selected_gemm_s8_kernel(), GraphOptions{.batch_chunk = 2});
  Tensor x({6, 36});
  for (float& v : x.values()) v = rng.normal();
  for (int64_t i = 0; i < 36; ++i) x[5 * 36 + i] *= 40.0f;  // the last image's range is wide
  const Tensor want = whole->run(x);
  CHECK(max_abs_diff(asked->run(x), want) == 0.0f);
  // What a split would have given: the first two images on their own grid.
  const Tensor first_two({2, 36}, std::span<const float>(x.data(), 72));
  const Tensor alone = whole->run(first_two);
  CHECK(max_abs_diff(alone, Tensor({2, 5}, std::span<const float>(want.data(), 10))) > 0.0f);
}

// As the static rewrite builds it: an unfused ReLU's reader expects the producer's grid
// with qmin raised to the zero point.
TEST_CASE("an unfused int8 ReLU feeds a static layer on its with_relu grid", "[int8]") {
  Rng rng(68);
  Model model("unfused-relu", {2, 6, 6}, 4);
  const ActivationQuant input = grid(0.0271f, -3);
  const StaticScheme conv = scheme_for(input, 18, false);
  const StaticScheme fc = scheme_for(conv.output.with_relu(), 72, false);
  model.add("quant", std::make_unique<QuantizeLayer>(input));
  model.add("conv",
            static_conv({.in_channels = 2, .out_channels = 2, .kernel_size = 3, .padding = 1}, conv,
                        rng));
  model.add("relu", std::make_unique<ReLU>());
  model.add("flat", std::make_unique<Flatten>());
  model.add("fc", static_linear(72, 4, fc, rng));
  model.add("dequant", std::make_unique<DequantizeLayer>(fc.output));
  const auto plan = lower_int8(model, gemm_openblas);
  const Tensor x = random_images(9, 2, 6, 15);
  check_within_one_code(plan->run(x), simulate(model, x), fc.output.scale, "unfused ReLU");
}

// quant -> conv(fused ReLU scheme) -> pool -> conv -> ReLU -> pool (of a 5x5 output: the
// last row and column dropped) -> flatten -> fc -> dequantize: two chains the int8 lowering
// fuses, checked against the plan that runs every node as its own step.
TEST_CASE("fused int8 convolution chains give the unfused plan's output bit for bit", "[int8]") {
  for (const bool asymmetric : {false, true}) {
    INFO((asymmetric ? "asymmetric weights: the im2row path" : "symmetric weights: direct path"));
    Rng rng(69);
    Model model("chains", {1, 14, 14}, 10);
    const ActivationQuant input = grid(0.025f, -7);
    const StaticScheme c1 = scheme_for(input, 25, true);
    const StaticScheme c2 = scheme_for(c1.output, 54, false);
    const StaticScheme fc = scheme_for(c2.output.with_relu(), 32, false);
    model.add("quant", std::make_unique<QuantizeLayer>(input));
    model.add("c1", static_conv({.in_channels = 1, .out_channels = 6, .kernel_size = 5}, c1, rng,
                                asymmetric));
    model.add("pool1", std::make_unique<MaxPool2d>(PoolOptions{2, 2, 0}));
    model.add("c2",
              static_conv({.in_channels = 6, .out_channels = 8, .kernel_size = 3, .padding = 1}, c2,
                          rng, asymmetric));
    model.add("relu", std::make_unique<ReLU>());
    model.add("pool2", std::make_unique<MaxPool2d>(PoolOptions{2, 2, 0}));
    model.add("flat", std::make_unique<Flatten>());
    model.add("fc", static_linear(32, 10, fc, rng));
    model.add("dequant", std::make_unique<DequantizeLayer>(fc.output));

    const std::vector<ConvChain> chains = fusable_conv_chains(model, "qconv2d");
    REQUIRE(chains.size() == 2);
    CHECK((chains[0].conv == 1 && chains[0].relu == -1 && chains[0].pool == 2));
    CHECK((chains[1].conv == 3 && chains[1].relu == 4 && chains[1].pool == 5));
    const GemmS8Kernel& gemm = selected_gemm_s8_kernel();
    const auto fused = lower_int8(model, gemm_openblas, gemm);
    const auto unfused =
        lower_int8(model, gemm_openblas, gemm, GraphOptions{.fuse_conv_chains = false});
    for (const int64_t batch : {int64_t{5}, int64_t{1}}) {
      const Tensor x = random_images(batch, 1, 14, 200 + static_cast<uint64_t>(batch));
      const Tensor want = unfused->run(x);
      CHECK(max_abs_diff(fused->run(x), want) == 0.0f);
      check_within_one_code(want, simulate(model, x), fc.output.scale, "conv chains");
    }
  }
}

TEST_CASE("dynamic quantized layers run with FP32 around them", "[int8]") {
  Rng rng(66);
  Model model("dynamic", {1, 6, 6}, 5);
  const QuantScheme dynamic = dynamic_scheme(DynamicRange::kMinMax);
  model.add("flat", std::make_unique<Flatten>());
  model.add("fc1", std::make_unique<QuantizedLinear>(
                       random_weight({.rows = 20, .cols = 36, .asymmetric = true}, rng),
                       random_bias(20, 0.1f, rng), dynamic));
  model.add("relu", std::make_unique<ReLU>());
  model.add("fc2", std::make_unique<QuantizedLinear>(
                       random_weight({.rows = 5, .cols = 20, .group_size = 8}, rng),
                       random_bias(5, 0.1f, rng), QuantScheme{}));
  const auto plan = lower_int8(model, gemm_openblas);
  const Tensor x = random_images(7, 1, 6, 14);
  const Tensor& got = plan->run(x);
  const Tensor want = simulate(model, x);
  REQUIRE(got.shape() == want.shape());
  float worst = 0.0f, largest = 0.0f;
  for (int64_t i = 0; i < got.numel(); ++i) {
    worst = std::max(worst, std::fabs(got[i] - want[i]));
    largest = std::max(largest, std::fabs(want[i]));
  }
  WARN("dynamic model: max |diff| = " << worst << " (max |logit| = " << largest << ")");
  CHECK(worst <= 1e-4f * (1.0f + largest));
}

// A layer kind no backend knows.
class TestOnlyCube final : public UnaryLayer {
 public:
  std::string kind() const override { return "test_only_cube"; }
  nlohmann::json config() const override { return nlohmann::json::object(); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<TestOnlyCube>(); }

 protected:
  Shape unary_output_shape(const Shape& input) const override { return input; }
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) override {
    output = input;
  }
  void unary_backward(const Tensor&, Tensor*) override {}
};

TEST_CASE("int8 lowering rejects broken graphs and layers it cannot run", "[int8]") {
  Rng rng(67);
  const ActivationQuant input = grid(0.05f, 0);
  SECTION("a static layer fed codes on another grid") {
    Model model("wrong-grid", {8}, 4);
    model.add("quant", std::make_unique<QuantizeLayer>(grid(0.04f, 0)));
    model.add("fc", static_linear(8, 4, scheme_for(input, 8, false), rng));
    CHECK_THROWS_AS(lower_int8(model, gemm_openblas), std::logic_error);
  }
  SECTION("qadd fed FP32") {
    Model model("fp32-add", {8}, 8);
    model.add("quant", std::make_unique<QuantizeLayer>(input));
    model.add("add", std::make_unique<QuantizedAdd>(input, input, input, false),
              {"quant", "input"});
    CHECK_THROWS_AS(lower_int8(model, gemm_openblas), std::logic_error);
  }
  SECTION("an unknown layer kind names the node") {
    Model model("odd", {8}, 8);
    model.add("quant", std::make_unique<QuantizeLayer>(input));
    model.add("cube", std::make_unique<TestOnlyCube>());
    try {
      lower_int8(model, gemm_openblas);
      FAIL("lowered an unknown layer kind");
    } catch (const UserError& e) {
      CHECK(std::string(e.what()) ==
            "backend 'int8' cannot run node 'cube' (layer kind 'test_only_cube')");
    }
  }
  SECTION("a reduction too long for the int32 accumulator") {
    constexpr int64_t kDepth = (int64_t{1} << 15) + 1;
    Model model("deep", {kDepth}, 1);
    model.add("fc", static_linear(kDepth, 1, scheme_for(input, kDepth, false), rng));
    CHECK_THROWS_AS(lower_int8(model, gemm_openblas), UserError);
  }
}

}  // namespace
}  // namespace slim
