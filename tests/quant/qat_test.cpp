// Quantization-aware training (methods/quantization/qat): the STE and LSQ gradients on
// hand values, finite-difference checks of the QAT layers, the simulated BN folding, the
// conversion to static PTQ's graph, and a short QAT run that recovers low-bit accuracy.
#include "methods/quantization/qat/qat.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "core/json_path.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"
#include "core/train/init.h"
#include "core/train/loss.h"
#include "core/train/trainer.h"
#include "datasets/batch_loader.h"
#include "datasets/registry.h"
#include "kernels/backend.h"
#include "methods/quantization/activation_calibration.h"
#include "methods/quantization/bn_folding.h"
#include "methods/quantization/qat/fake_quantize.h"
#include "methods/quantization/qat/lsq.h"
#include "methods/quantization/qat/qat_gemm.h"
#include "methods/quantization/qat/qat_graph.h"
#include "methods/quantization/qat/weight_fake_quant.h"
#include "methods/quantization/quantized_graph.h"
#include "methods/registry.h"
#include "models/zoo.h"
#include "tests/core/gradient_check.h"
#include "tests/quant/model_fixtures.h"

namespace slim {
namespace {

// A small signed grid: step 0.5, codes [-4, 3], so QN = 4 and QP = 3.
ActivationQuant small_grid() {
  return ActivationQuant{.scale = 0.5f, .zero_point = 0, .qmin = -4, .qmax = 3};
}

Tensor row_tensor(std::vector<float> values) {
  const auto count = static_cast<int64_t>(values.size());
  return Tensor({1, count}, values);
}

struct LayerRun {
  Tensor output;
  Tensor grad_input;
};

// One forward and one backward of `layer` with the given upstream gradient.
LayerRun run_layer(Layer& layer, const Tensor& input, const Tensor& upstream,
                   Mode mode = Mode::kTrain) {
  LayerRun run;
  const Tensor* inputs[] = {&input};
  layer.forward(inputs, run.output, ForwardContext{mode, nullptr});
  for (auto& [name, parameter] : layer.parameters())
    parameter->grad = Tensor(parameter->value.shape());
  Tensor* grads[] = {&run.grad_input};
  layer.backward(upstream, grads);
  return run;
}

std::vector<float> values_of(const Tensor& tensor) {
  return {tensor.values().begin(), tensor.values().end()};
}

void randomize(Parameter& parameter, uint64_t seed, float offset = 0.0f, float spread = 1.0f) {
  Rng rng(seed);
  for (float& v : parameter.value.values()) v = offset + spread * rng.normal();
}

// A BatchNorm whose affine parameters and running statistics are far from the identity.
BatchNorm nontrivial_batch_norm(int spatial_dims, int64_t channels, uint64_t seed) {
  BatchNorm bn(spatial_dims, channels);
  randomize(bn.gamma(), seed, 1.0f, 0.3f);
  randomize(bn.beta(), seed + 1, 0.0f, 0.5f);
  Rng rng(seed + 2);
  for (int64_t c = 0; c < channels; ++c) {
    bn.running_mean()[c] = 0.4f * rng.normal();
    bn.running_var()[c] = 0.5f + rng.uniform();
  }
  return bn;
}

Conv2d random_conv(const Conv2dOptions& options, uint64_t seed) {
  Conv2d conv(options);
  randomize(conv.weight(), seed, 0.0f, 0.3f);
  if (options.bias) randomize(conv.bias(), seed + 1, 0.0f, 0.2f);
  return conv;
}

void require_gradients_pass(const std::vector<testing::GradientCheckResult>& results,
                            const std::string& what) {
  REQUIRE_FALSE(results.empty());
  for (const auto& result : results) {
    WARN(what << " / " << result.name << ": max|analytic - numeric| = " << result.max_abs_diff);
    CHECK(result.max_allowed_excess <= 0.0f);
  }
}

ActivationGrids calibrate_min_max(Model& folded, const Dataset& dataset) {
  CalibrationOptions options;
  options.kind = Calibrator::kMinMax;
  const std::vector<int64_t> indices = calibration_indices(dataset.train, 128, 3);
  return calibrate_activations(folded, dataset, indices, options, 64);
}

std::vector<std::string> node_names(const Model& model) {
  std::vector<std::string> names;
  for (const Node& node : model.nodes()) names.push_back(node.name);
  return names;
}

TEST_CASE("fake quantization with the STE passes gradients inside the grid, 0 outside", "[qat]") {
  FakeQuantize layer(small_grid(), QatEstimator::kSte);
  CHECK(layer.parameters().empty());  // the calibrated grid stays fixed under STE
  // x / S:            -6     -4.4    -4.6   -0.2  2.8   3.52   1.0
  // round + clamp:    -4(c)  -4      -4(c)   0    3     3(c)   1
  const Tensor x = row_tensor({-3.0f, -2.2f, -2.3f, -0.1f, 1.4f, 1.76f, 0.5f});
  const Tensor upstream = row_tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f});
  const LayerRun run = run_layer(layer, x, upstream);
  CHECK(values_of(run.output) == std::vector<float>{-2.0f, -2.0f, -2.0f, 0.0f, 1.5f, 1.5f, 0.5f});
  CHECK(values_of(run.grad_input) == std::vector<float>{0.0f, 2.0f, 0.0f, 4.0f, 5.0f, 0.0f, 7.0f});

  // The forward is the static graph's own fake quantization, bit for bit.
  Tensor reference = x;
  fake_quantize(reference.values(), small_grid());
  CHECK(values_of(run.output) == values_of(reference));
}

TEST_CASE("weight fake quantization with the STE rounds as conversion will and masks clipping",
          "[qat]") {
  // The 50th percentile of |w| per row clips the larger half of each row's weights.
  WeightQuantOptions options;
  options.calibrator = Calibrator::kPercentile;
  options.percentile = 50.0;
  options.range = QuantRange{.bits = 4, .is_signed = true, .narrow = true};
  const std::vector<float> weights = {0.1f, -0.2f, 0.3f, -0.4f, 2.0f, -1.0f, 0.5f, 0.05f};
  WeightFakeQuant quant = WeightFakeQuant::ste(options, 2, 4);
  CHECK(quant.scale_parameter() == nullptr);  // grids come from the weight calibrator
  std::vector<float> fake(8), grad(8);
  quant.forward(weights, fake);
  CHECK(fake == quantize_weight(weights, 2, 4, options)->dequantize());
  quant.backward(weights, std::vector<float>(8, 1.0f), grad);
  // The rows clip at about 0.2 and 0.5: 0.3, -0.4, 2 and -1 land outside their grids.
  WARN("fake-quantized weights: " << Catch::Detail::stringify(fake));
  CHECK(grad == std::vector<float>{1, 1, 0, 0, 0, 0, 1, 1});
}

TEST_CASE("LSQ's scale gradient follows the formula on hand values", "[qat]") {
  SECTION("the elementwise derivative, the factor g and the initial scale") {
    const ActivationQuant grid = small_grid();
    CHECK(lsq_scale_derivative(0.3f, grid) == Approx(1.0f - 0.6f));    // round(0.6) - 0.6
    CHECK(lsq_scale_derivative(-1.1f, grid) == Approx(-2.0f + 2.2f));  // round(-2.2) + 2.2
    CHECK(lsq_scale_derivative(5.0f, grid) == 3.0f);                   // above: +QP
    CHECK(lsq_scale_derivative(-9.0f, grid) == -4.0f);                 // below: -QN
    CHECK(lsq_gradient_scale(100, 1) == Approx(0.1f));
    CHECK(lsq_gradient_scale(4, 3) == Approx(1.0 / std::sqrt(12.0)));
    // 2 * mean|v| / sqrt(QP) = 2 * 2.5 / 2
    CHECK(lsq_initial_scale(std::vector<float>{1.0f, -2.0f, 3.0f, -4.0f}, 4) == Approx(2.5f));
  }

  SECTION("an activation fake-quantizer sums them over a sample and scales by g") {
    FakeQuantize layer(small_grid(), QatEstimator::kLsq);
    REQUIRE(layer.parameters().size() == 1);
    const Tensor x = row_tensor({0.3f, -1.1f, 5.0f, -9.0f});
    const Tensor upstream = row_tensor({1.0f, 2.0f, -1.0f, 0.5f});
    const LayerRun run = run_layer(layer, x, upstream);
    // sum = 1 * 0.4 + 2 * 0.2 - 1 * 3 + 0.5 * (-4) = -4.2; N = 4 per sample, QP = 3.
    const double expected = -4.2 / std::sqrt(4.0 * 3.0);
    CHECK(layer.parameters()[0].second->grad[0] == Approx(expected).epsilon(1e-5));
    CHECK(values_of(run.grad_input) == std::vector<float>{1.0f, 2.0f, 0.0f, 0.0f});
  }

  SECTION("weights get one learned scale per output channel") {
    // 3-bit narrow signed grid: codes [-3, 3], QP = 3.
    WeightQuantOptions options;
    options.range = QuantRange{.bits = 3, .is_signed = true, .narrow = true};
    const std::vector<float> weights = {0.5f, -1.0f, 1.5f, 0.2f, -7.0f, 0.0f};
    // By default LSQ starts from the PTQ quantizer's scales: abs_max per row, max|w| / 3.
    WeightFakeQuant calibrated = WeightFakeQuant::lsq(options, weights, 2, 3);
    CHECK(calibrated.scale_parameter()->value[0] == Approx(1.5 / 3.0));
    CHECK(calibrated.scale_parameter()->value[1] == Approx(7.0 / 3.0));

    WeightFakeQuant quant = WeightFakeQuant::lsq(options, weights, 2, 3, LsqInit::kMeanAbs);
    Parameter& scales = *quant.scale_parameter();
    CHECK(scales.value[0] == Approx(2.0 * 1.0 / std::sqrt(3.0)));  // mean|w| of row 0 is 1
    CHECK(scales.value[1] == Approx(2.0 * 2.4 / std::sqrt(3.0)));

    scales.value[0] = 0.4f;  // v = 1.25, -2.5, 3.75 -> 1, -2 (to even), above
    scales.value[1] = 1.0f;  // v = 0.2, -7, 0      -> 0, below, 0
    std::vector<float> fake(6), grad_weights(6);
    quant.forward(weights, fake);
    CHECK(fake == std::vector<float>{0.4f, -0.8f, 1.2f, 0.0f, -3.0f, 0.0f});
    quant.backward(weights, std::vector<float>{1, 1, 1, 2, 1, 1}, grad_weights);
    CHECK(grad_weights == std::vector<float>{1, 1, 0, 2, 0, 1});
    // Row 0: (-0.25 + 0.5 + 3) / sqrt(3 * 3); row 1: (2 * -0.2 - 3 + 0) / 3.
    CHECK(scales.grad[0] == Approx(3.25 / 3.0).epsilon(1e-5));
    CHECK(scales.grad[1] == Approx(-3.4 / 3.0).epsilon(1e-5));

    // Conversion stores exactly the codes the forward rounded to.
    const auto encoded = quant.learned_encoding(weights);
    CHECK(std::vector<int8_t>(encoded->codes().begin(), encoded->codes().end()) ==
          std::vector<int8_t>{1, -2, 3, 0, -3, 0});
    CHECK(encoded->dequantize() == fake);
  }
}

TEST_CASE("the QAT layers' gradients match finite differences", "[qat]") {
  auto eval = [] { return ForwardContext{Mode::kEval, nullptr}; };
  auto train = [] { return ForwardContext{Mode::kTrain, nullptr}; };

  SECTION("fake quantization on a fine grid is the identity inside it and flat outside") {
    // Step 1e-5 with 2^21 codes: the rounding is far below the finite-difference step, and
    // the range [-10.49, 10.49] leaves about half of the inputs (spread over +-20) outside.
    const ActivationQuant fine{
        .scale = 1e-5f, .zero_point = 0, .qmin = -(1 << 20), .qmax = 1 << 20};
    FakeQuantize layer(fine, QatEstimator::kSte);
    require_gradients_pass(
        testing::check_layer_gradients(layer, {testing::spread_tensor({2, 40}, 5, 0.5f)}, eval),
        "fake_quantize");
  }

  SECTION("conv2d + folded BN, eval, frozen and batch statistics") {
    const Conv2d conv = random_conv(Conv2dOptions{3, 4, 3, 1, 1, true}, 21);
    const BatchNorm bn = nontrivial_batch_norm(2, 4, 31);
    const Tensor x = testing::random_tensor({2, 3, 5, 5}, 41);
    QatGemm eval_layer(conv, &bn, "bn", WeightFakeQuant());
    require_gradients_pass(testing::check_layer_gradients(eval_layer, {x}, eval),
                           "qat_conv2d eval");
    QatGemm frozen_layer(conv, &bn, "bn", WeightFakeQuant());
    frozen_layer.freeze_batch_norm();
    require_gradients_pass(testing::check_layer_gradients(frozen_layer, {x}, train),
                           "qat_conv2d frozen");
    QatGemm batch_layer(conv, &bn, "bn", WeightFakeQuant());
    require_gradients_pass(testing::check_layer_gradients(batch_layer, {x}, train),
                           "qat_conv2d batch statistics");
  }

  SECTION("linear without bias + folded BN, and linear alone") {
    Linear linear(6, 5, false);
    randomize(linear.weight(), 51, 0.0f, 0.4f);
    const BatchNorm bn = nontrivial_batch_norm(1, 5, 61);
    const Tensor x = testing::random_tensor({4, 6}, 71);
    QatGemm with_bn(linear, &bn, "bn", WeightFakeQuant());
    require_gradients_pass(testing::check_layer_gradients(with_bn, {x}, eval), "qat_linear+bn");
    Linear biased(6, 5, true);
    randomize(biased.weight(), 52, 0.0f, 0.4f);
    randomize(biased.bias(), 53);
    QatGemm alone(biased, nullptr, "", WeightFakeQuant());
    require_gradients_pass(testing::check_layer_gradients(alone, {x}, train), "qat_linear");
  }
}

TEST_CASE("with frozen statistics the QAT conv+BN is the folded conv, up to the weight rounding",
          "[qat]") {
  const Conv2dOptions options{3, 6, 3, 1, 1, true};
  Model fp32("conv-bn", {3, 8, 8}, 6);
  fp32.add("conv", std::make_unique<Conv2d>(random_conv(options, 81)));
  fp32.add("bn", std::make_unique<BatchNorm>(nontrivial_batch_norm(2, 6, 91)));
  const Tensor x = testing::random_tensor({4, 3, 8, 8}, 101);
  const Tensor expected = fp32.forward(x, ForwardContext{Mode::kEval, nullptr});
  const auto& conv = dynamic_cast<const Conv2d&>(fp32.layer("conv"));
  const auto& bn = dynamic_cast<const BatchNorm&>(fp32.layer("bn"));

  SECTION("without weight quantization it is conv -> BN in eval mode") {
    QatGemm layer(conv, &bn, "bn", WeightFakeQuant());
    layer.freeze_batch_norm();
    const LayerRun run = run_layer(layer, x, Tensor(expected.shape(), 1.0f));
    WARN("max|qat - conv->bn| = " << max_abs_diff(run.output, expected));
    CHECK(max_abs_diff(run.output, expected) < 1e-4f);
  }

  SECTION("with 8-bit weights it is the folded conv with its weight fake-quantized") {
    WeightQuantOptions weights;  // 8 bits, per channel, abs_max
    QatGemm layer(conv, &bn, "bn", WeightFakeQuant::ste(weights, 6, 27));
    layer.freeze_batch_norm();
    const LayerRun run = run_layer(layer, x, Tensor(expected.shape(), 1.0f));

    Model folded = fold_batch_norms(fp32);
    Parameter& folded_weight = folded.parameter("conv.weight");
    const auto coded = quantize_weight(std::as_const(folded_weight.value).values(), 6, 27, weights);
    const std::vector<float> rounded = coded->dequantize();
    folded_weight.value = Tensor(folded_weight.value.shape(), rounded);
    const Tensor reference = folded.forward(x, ForwardContext{Mode::kEval, nullptr});
    WARN("max|qat - folded fake-quantized conv| = " << max_abs_diff(run.output, reference)
                                                    << ", max|qat - fp32| = "
                                                    << max_abs_diff(run.output, expected));
    CHECK(max_abs_diff(run.output, reference) < 1e-4f);
    CHECK(max_abs_diff(run.output, expected) > 1e-4f);  // the rounding is really there
  }
}

TEST_CASE("a QAT model converted before training is static PTQ's graph", "[qat]") {
  const Dataset dataset = load_dataset("synthetic");
  for (const std::string name : {"lenet-5", "resnet-8"}) {
    for (bool keep_first_last : {false, true}) {
      INFO(name << (keep_first_last ? ", first and last layers kept in FP32" : ""));
      Model model = initialised(name);
      make_batch_norm_nontrivial(model, dataset);
      Model folded = fold_batch_norms(model);
      const ActivationGrids grids = calibrate_min_max(folded, dataset);
      QatOptions options;
      options.graph.weights.range = QuantRange{.bits = 4, .is_signed = true, .narrow = true};
      options.graph.keep_first_last_fp32 = keep_first_last;

      const Model qat = build_qat_model(model, grids, options);
      const std::vector<int> points = static_grid_points(folded, options.graph);
      int fake_quants = 0, followers = 0;
      for (const Node& node : qat.nodes()) {
        const auto* fake_quant = dynamic_cast<const FakeQuantize*>(node.layer.get());
        if (!fake_quant) continue;
        (fake_quant->leader().empty() ? fake_quants : followers) += 1;
      }
      CHECK(fake_quants == static_cast<int>(points.size()));
      CHECK(followers == (name == "resnet-8" ? 1 : 0));  // after the global average pool

      const Model qat_folded = fold_batch_norms(qat_to_fp32(qat));
      CHECK(node_names(qat_folded) == node_names(folded));
      const ActivationGrids qat_grids = qat_activation_grids(qat, qat_folded, options.graph);
      for (int index : points) CHECK(qat_grids.of(index) == grids.of(index));

      const Model ptq = build_static_quantized(folded, grids, options.graph);
      Model converted = convert_qat_model(qat, options);
      CHECK(converted.describe() == ptq.describe());
      const Tensor x = test_batch(dataset, 16);
      Model ptq_copy = ptq;
      CHECK(max_abs_diff(converted.forward(x, {}), ptq_copy.forward(x, {})) == 0.0f);
    }
  }
}

TEST_CASE("an LSQ model converted before training is static PTQ's model", "[qat]") {
  const Dataset dataset = load_dataset("synthetic");
  Model model = initialised("resnet-8");
  make_batch_norm_nontrivial(model, dataset);
  Model folded = fold_batch_norms(model);
  const ActivationGrids grids = calibrate_min_max(folded, dataset);
  for (const Granularity granularity : {Granularity::kPerChannel, Granularity::kPerGroup}) {
    QatOptions options;
    options.estimator = QatEstimator::kLsq;
    options.graph.weights.range = QuantRange{.bits = 4, .is_signed = true, .narrow = true};
    options.graph.weights.granularity = granularity;
    options.graph.weights.group_size = 16;
    Model ptq = build_static_quantized(folded, grids, options.graph);
    Model converted = convert_qat_model(build_qat_model(model, grids, options), options);
    const Tensor x = test_batch(dataset, 16);
    CHECK(max_abs_diff(converted.forward(x, {}), ptq.forward(x, {})) == 0.0f);
  }
}

TEST_CASE("a QAT model in eval mode computes what its converted static graph computes", "[qat]") {
  // Biases start at zero, so the integer bias of the deployed layers (the one rounding
  // training does not simulate) is exact, and the logits must agree exactly.
  const Dataset dataset = load_dataset("synthetic");
  for (const std::string name : {"lenet-5", "resnet-8"}) {
    for (QatEstimator estimator : {QatEstimator::kSte, QatEstimator::kLsq}) {
      INFO(name << ", " << estimator_name(estimator));
      Model model = initialised(name);
      Model folded = fold_batch_norms(model);
      QatOptions options;
      options.estimator = estimator;
      options.graph.weights.range = QuantRange{.bits = 4, .is_signed = true, .narrow = true};
      Model qat = build_qat_model(model, calibrate_min_max(folded, dataset), options);
      Model converted = convert_qat_model(qat, options);

      const Tensor x = test_batch(dataset, 32);
      const Tensor trained = qat.forward(x, ForwardContext{Mode::kEval, nullptr});
      const Tensor deployed = converted.forward(x, ForwardContext{Mode::kEval, nullptr});
      int64_t differing = 0;
      for (int64_t i = 0; i < trained.numel(); ++i) differing += trained[i] != deployed[i];
      WARN(name << " " << estimator_name(estimator) << ": " << differing << " of "
                << trained.numel() << " logits differ, max|diff| "
                << max_abs_diff(trained, deployed));
      CHECK(differing == 0);

      if (estimator != QatEstimator::kLsq) continue;
      // Learned scales that moved (as training moves them) reach the conversion too: the
      // activation grids, the weight codes, and the pool's follower grid.
      for (auto& [parameter_name, parameter] : qat.parameters()) {
        if (!parameter_name.ends_with("scale")) continue;
        for (float& scale : parameter->value.values()) scale *= 1.1f;
      }
      update_learned_grids(qat);
      Model reconverted = convert_qat_model(qat, options);
      const Tensor moved = qat.forward(x, ForwardContext{Mode::kEval, nullptr});
      CHECK(max_abs_diff(moved, trained) > 0.0f);
      CHECK(max_abs_diff(moved, reconverted.forward(x, ForwardContext{Mode::kEval, nullptr})) ==
            0.0f);
    }
  }
}

TEST_CASE("QAT places its fake-quant nodes where the static rewrite reads grids", "[qat]") {
  const Dataset dataset = load_dataset("synthetic");
  Model model = initialised("lenet-5");
  Model folded = fold_batch_norms(model);
  const Model qat = build_qat_model(model, calibrate_min_max(folded, dataset), QatOptions{});
  CHECK(node_names(qat) ==
        std::vector<std::string>{"input.fake_quant", "conv1", "relu1", "relu1.fake_quant", "pool1",
                                 "conv2", "relu2", "relu2.fake_quant", "pool2", "flatten", "fc1",
                                 "relu3", "relu3.fake_quant", "fc2", "fc2.fake_quant"});
  CHECK(qat.layer("conv1").kind() == "qat_conv2d");
  CHECK(qat.layer("fc2").kind() == "qat_linear");
}

TEST_CASE("freezing BatchNorm stops its statistics and makes training see the folded model",
          "[qat]") {
  const Dataset dataset = load_dataset("synthetic");
  Model model = initialised("resnet-8");
  Model folded = fold_batch_norms(model);
  Model qat = build_qat_model(model, calibrate_min_max(folded, dataset), QatOptions{});
  const Tensor x = test_batch(dataset, 16);
  const ForwardContext training{Mode::kTrain, nullptr};
  auto running_var = [&qat] { return qat.buffers().at(1).second->vector().eval(); };
  REQUIRE(qat.buffers().at(1).first == "stem.conv.bn.running_var");

  const auto before = running_var();
  qat.forward(x, training);
  CHECK(running_var() != before);  // batch statistics update the running ones

  CHECK(freeze_batch_norm_statistics(qat) == 9);  // every BN of resnet-8
  const auto frozen = running_var();
  const Tensor trained = qat.forward(x, training);
  CHECK(running_var() == frozen);
  CHECK(max_abs_diff(trained, qat.forward(x, ForwardContext{Mode::kEval, nullptr})) == 0.0f);
}

TEST_CASE("QAT's defaults: 10% of the epochs at 1% of the learning rate, SGD with momentum",
          "[qat]") {
  const Method& qat = find_method("qat");
  const nlohmann::json params = resolve_params(qat.params, nlohmann::json::object(), JsonPath("t"));
  CHECK(params.at("estimator") == "ste");
  CHECK(params.at("freeze_bn_epoch") == 1);
  Recipe baseline = find_model("lenet-5").default_recipe();
  baseline.epochs = 20;
  baseline.schedule = "step";
  const Recipe recipe = qat_recipe(baseline, params, 3);
  CHECK(recipe.epochs == 2);
  CHECK(recipe.lr == Approx(baseline.lr * 0.01));
  CHECK(recipe.schedule == "cosine");
  CHECK(recipe.momentum == baseline.momentum);
  CHECK(recipe.seed != baseline.seed);
  CHECK(recipe.seed == qat_recipe(baseline, params, 3).seed);
  CHECK(recipe.seed != qat_recipe(baseline, params, 4).seed);
  baseline.epochs = 3;
  CHECK(qat_recipe(baseline, params, 3).epochs == 1);  // at least one epoch
}

// Trains `name` briefly on the synthetic set, as a baseline for the compression runs.
Model trained_baseline(const std::string& name, const Dataset& dataset, const Recipe& recipe) {
  Model model = initialised(name);
  TrainHooks hooks;
  hooks.evaluate_each_epoch = false;
  train(model, dataset, recipe, hooks);
  return model;
}

struct CompressedRun {
  Model model;
  double accuracy = 0.0;  // FP32 simulation, test split
};

CompressedRun compress(const Model& baseline, const std::string& method,
                       const nlohmann::json& given, const Dataset& dataset, const Recipe& recipe) {
  CompressedRun run{baseline};
  MethodContext context{dataset, recipe, calibration_indices(dataset.train, 256, 3), 0, stderr};
  const Method& found = find_method(method);
  found.apply(run.model, resolve_params(found.params, given, JsonPath("qat_test")), context);
  run.accuracy = evaluate(run.model, dataset, dataset.test).accuracy;
  return run;
}

std::vector<std::string> kinds(const Model& model) {
  std::vector<std::string> out;
  for (const Node& node : model.nodes()) out.push_back(node.layer->kind());
  return out;
}

// Top-1 accuracy of `model` run as integer code on the int8 backend, test split.
double int8_accuracy(const Model& model, const Dataset& dataset) {
  const std::unique_ptr<Executable> executable = find_backend("int8").lower(model);
  BatchLoader loader(dataset, dataset.test, BatchOptions{.batch_size = 250});
  Batch batch;
  int64_t correct = 0, count = 0;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const Tensor& logits = executable->run(batch.x);
    std::vector<int32_t> predicted(static_cast<size_t>(batch.size()));
    argmax_rows(logits, predicted);
    for (size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == batch.labels[i];
    count += batch.size();
  }
  return static_cast<double>(correct) / static_cast<double>(count);
}

TEST_CASE("a short QAT run recovers accuracy that 2-bit static PTQ loses", "[qat]") {
  const Dataset dataset = load_dataset("synthetic");
  Recipe recipe = find_model("lenet-300-100").default_recipe();
  recipe.epochs = 4;
  const Model baseline = trained_baseline("lenet-300-100", dataset, recipe);
  Model fp32 = baseline;
  const double fp32_accuracy = evaluate(fp32, dataset, dataset.test).accuracy;

  // Ternary weights ({-1, 0, 1} times a per-channel scale) and int8 activations.
  const nlohmann::json low_bit = {{"weight_bits", 2}, {"activation_calibrator", "min_max"}};
  const CompressedRun ptq = compress(baseline, "static_ptq", low_bit, dataset, recipe);
  nlohmann::json qat_params = low_bit;
  qat_params["epochs_fraction"] = 0.5;  // 2 of the baseline's 4 epochs
  qat_params["lr_scale"] = 0.1;
  for (const std::string estimator : {"ste", "lsq"}) {
    qat_params["estimator"] = estimator;
    const CompressedRun qat = compress(baseline, "qat", qat_params, dataset, recipe);
    const double on_int8 = int8_accuracy(qat.model, dataset);
    WARN("lenet-300-100 on synthetic: fp32 " << fp32_accuracy << ", W2 static PTQ " << ptq.accuracy
                                             << ", W2 QAT (" << estimator << ") " << qat.accuracy
                                             << " simulated, " << on_int8 << " on int8");
    CHECK(kinds(qat.model) == kinds(ptq.model));  // the same static integer graph
    CHECK(qat.accuracy >= ptq.accuracy + 0.1);    // measured: +25 points (ste), +29 (lsq)
    CHECK(std::fabs(on_int8 - qat.accuracy) <= 0.01);
  }
}

}  // namespace
}  // namespace slim
