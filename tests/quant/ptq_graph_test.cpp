// BN folding and the PTQ graph rewrites (methods/quantization/{bn_folding,quantized_graph}).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/model_size.h"
#include "core/quant/packed_codes.h"
#include "core/train/init.h"
#include "datasets/batch_loader.h"
#include "datasets/registry.h"
#include "methods/quantization/activation_calibration.h"
#include "methods/quantization/bn_folding.h"
#include "methods/quantization/calibrator_comparison.h"
#include "methods/quantization/quantized_graph.h"
#include "methods/quantization/sensitivity.h"
#include "models/zoo.h"
#include "tests/quant/model_fixtures.h"

namespace slim {
namespace {

std::vector<std::string> kinds(const Model& model) {
  std::vector<std::string> out;
  for (const Node& node : model.nodes()) out.push_back(node.layer->kind());
  return out;
}

int count_kind(const Model& model, const std::string& kind) {
  int count = 0;
  for (const Node& node : model.nodes()) count += node.layer->kind() == kind;
  return count;
}

float max_abs_difference(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float worst = 0.0f;
  for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

ActivationGrids calibrate(Model& folded, const Dataset& dataset, Calibrator calibrator) {
  CalibrationOptions options;
  options.kind = calibrator;
  const std::vector<int64_t> indices = calibration_indices(dataset.train, 256, 3);
  return calibrate_activations(folded, dataset, indices, options, 64);
}

TEST_CASE("folding BatchNorm keeps resnet-8's eval outputs and removes every BN", "[quant][ptq]") {
  const Dataset dataset = load_dataset("synthetic");
  Model model = initialised("resnet-8");
  make_batch_norm_nontrivial(model, dataset);
  std::vector<FoldedBatchNorm> folded_pairs;
  Model folded = fold_batch_norms(model, &folded_pairs);

  CHECK(count_kind(model, "batchnorm2d") == static_cast<int>(folded_pairs.size()));
  CHECK(count_kind(folded, "batchnorm2d") == 0);
  CHECK(folded.nodes().size() == model.nodes().size() - folded_pairs.size());
  CHECK(folded_pairs.front().layer == "stem.conv");
  CHECK(folded_pairs.front().batch_norm == "stem.bn");
  CHECK(stored_bytes(folded) < stored_bytes(model));  // no BN parameters or buffers

  const Tensor x = test_batch(dataset);
  const Tensor expected = model.forward(x, ForwardContext{});
  const Tensor actual = folded.forward(x, ForwardContext{});
  CHECK(max_abs_difference(expected, actual) < 1e-4f);
}

TEST_CASE("folding leaves a model without BatchNorm unchanged", "[quant][ptq]") {
  const Dataset dataset = load_dataset("synthetic");
  Model model = initialised("lenet-5");
  Model folded = fold_batch_norms(model);
  CHECK(kinds(folded) == kinds(model));
  const Tensor x = test_batch(dataset);
  CHECK(max_abs_difference(model.forward(x, {}), folded.forward(x, {})) == 0.0f);
}

TEST_CASE("static PTQ turns lenet-5 into one integer region with fused ReLUs", "[quant][ptq]") {
  const Dataset dataset = load_dataset("synthetic");
  Model folded = fold_batch_norms(initialised("lenet-5"));
  const ActivationGrids grids = calibrate(folded, dataset, Calibrator::kMinMax);

  const Model quantized = build_static_quantized(folded, grids, GraphQuantOptions{});
  CHECK(kinds(quantized) == std::vector<std::string>{"quantize", "qconv2d", "maxpool2d", "qconv2d",
                                                     "maxpool2d", "flatten", "qlinear", "qlinear",
                                                     "dequantize"});

  GraphQuantOptions keep;
  keep.keep_first_last_fp32 = true;
  const Model mixed = build_static_quantized(folded, grids, keep);
  CHECK(kinds(mixed) == std::vector<std::string>{"conv2d", "relu", "maxpool2d", "quantize",
                                                 "qconv2d", "maxpool2d", "flatten", "qlinear",
                                                 "linear"});
}

TEST_CASE("static PTQ of resnet-8 quantizes residual adds and requantizes the pooled mean",
          "[quant][ptq]") {
  const Dataset dataset = load_dataset("synthetic");
  Model folded = fold_batch_norms(initialised("resnet-8"));
  const ActivationGrids grids = calibrate(folded, dataset, Calibrator::kMinMax);
  const Model quantized = build_static_quantized(folded, grids, GraphQuantOptions{});

  CHECK(count_kind(quantized, "add") == 0);
  CHECK(count_kind(quantized, "qadd") == count_kind(folded, "add"));
  CHECK(count_kind(quantized, "relu") == 0);  // every ReLU fused into a clamp
  CHECK(count_kind(quantized, "conv2d") == 0);
  CHECK(count_kind(quantized, "quantize") == 2);  // the input, and after the pooled mean
  const int pool = quantized.node_index("pool");
  CHECK(quantized.nodes()[pool + 1].layer->kind() == "quantize");
  CHECK(quantized.nodes().back().layer->kind() == "dequantize");
}

TEST_CASE("the grid points of the static rewrite are the tensors it reads", "[quant][ptq]") {
  Model folded = fold_batch_norms(initialised("lenet-5"));
  const std::vector<int> points = static_grid_points(folded, GraphQuantOptions{});
  std::vector<std::string> names;
  for (int index : points) names.push_back(index < 0 ? "input" : folded.nodes()[index].name);
  // The input, then each layer's output after its fused ReLU (fc2 has none).
  CHECK(names == std::vector<std::string>{"input", "relu1", "relu2", "relu3", "fc2"});
}

// The direct definition: fake-quantize every calibration sample's tensor with `grid`.
double direct_mse(Model& folded, const Dataset& dataset, const std::vector<int64_t>& indices,
                  int point, const ActivationQuant& grid) {
  const BatchLoader loader(dataset, dataset.train, indices, BatchOptions{.batch_size = 32});
  Batch batch;
  double sum = 0.0;
  int64_t count = 0;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    folded.forward(batch.x, ForwardContext{});
    const auto values = std::as_const(folded.activation(point)).values();
    std::vector<float> quantized(values.begin(), values.end());
    fake_quantize(quantized, grid);
    for (size_t i = 0; i < values.size(); ++i) {
      sum += (static_cast<double>(quantized[i]) - values[i]) * (quantized[i] - values[i]);
    }
    count += static_cast<int64_t>(values.size());
  }
  return sum / static_cast<double>(count);
}

TEST_CASE("the calibrator comparison measures each grid's exact squared error", "[quant][ptq]") {
  const Dataset dataset = load_dataset("synthetic");
  Model folded = fold_batch_norms(initialised("lenet-5"));
  const std::vector<int64_t> indices = calibration_indices(dataset.train, 256, 3);
  const std::vector<int> points = static_grid_points(folded, GraphQuantOptions{});
  const std::vector<CalibratorErrors> table =
      compare_activation_calibrators(folded, dataset, indices, CalibrationOptions{}, points);
  REQUIRE(table.size() == points.size());
  CHECK(table[0].tensor == "input");

  const std::vector<std::string> names = calibrator_names();
  for (size_t c = 0; c < names.size(); ++c) {
    const ActivationGrids grids = calibrate(folded, dataset, parse_calibrator(names[c]));
    for (size_t p = 1; p < points.size(); ++p) {
      INFO(names[c] << " at " << table[p].tensor);
      const double expected = direct_mse(folded, dataset, indices, points[p], grids.of(points[p]));
      CHECK(expected > 0.0);
      // Batches of 32 here and 256 there give FP32 activations a few ulps apart.
      CHECK(table[p].mse[c] == Approx(expected).epsilon(1e-5));
    }
  }
}

TEST_CASE("the model input can be calibrated apart from the computed tensors", "[quant][ptq]") {
  const Dataset dataset = load_dataset("synthetic");
  Model folded = fold_batch_norms(initialised("lenet-5"));
  const ActivationGrids min_max = calibrate(folded, dataset, Calibrator::kMinMax);
  const ActivationGrids kl = calibrate(folded, dataset, Calibrator::kKl);
  REQUIRE_FALSE(min_max.input == kl.input);

  ActivationCalibrationOptions options;
  options.input.kind = Calibrator::kMinMax;
  options.computed.kind = Calibrator::kKl;
  const std::vector<int64_t> indices = calibration_indices(dataset.train, 256, 3);
  const ActivationGrids mixed = calibrate_activations(folded, dataset, indices, options, 64);
  CHECK(mixed.input == min_max.input);
  CHECK(mixed.nodes == kl.nodes);
}

TEST_CASE("a sensitivity graph quantizes its one layer and nothing else", "[quant][ptq]") {
  const Dataset dataset = load_dataset("synthetic");
  Model folded = fold_batch_norms(initialised("resnet-8"));
  const ActivationGrids grids = calibrate(folded, dataset, Calibrator::kMinMax);
  GraphQuantOptions one_layer;
  one_layer.only_layers = {"layer2.conv1"};
  const Model quantized = build_static_quantized(folded, grids, one_layer);
  CHECK(count_kind(quantized, "qconv2d") == 1);
  CHECK(count_kind(quantized, "qadd") == 0);
  CHECK(count_kind(quantized, "add") == count_kind(folded, "add"));
  CHECK(count_kind(quantized, "quantize") == 1);
  CHECK(quantized.nodes()[quantized.node_index("layer2.conv1") - 1].layer->kind() == "quantize");
}

// Top-1 of `model` on the test split, by its own forward.
double test_accuracy(Model& model, const Dataset& dataset) {
  const BatchLoader loader(dataset, dataset.test, BatchOptions{.batch_size = 100});
  Batch batch;
  int64_t correct = 0;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const Tensor& logits = model.forward(batch.x, ForwardContext{});
    const int64_t classes = logits.shape()[1];
    for (int64_t i = 0; i < logits.shape()[0]; ++i) {
      const float* row = logits.values().data() + i * classes;
      correct += std::max_element(row, row + classes) - row == batch.labels[static_cast<size_t>(i)];
    }
  }
  return static_cast<double>(correct) / static_cast<double>(dataset.test.count);
}

TEST_CASE("the sensitivity report has a row per layer that grows worse with fewer bits",
          "[quant][ptq]") {
  const Dataset dataset = load_dataset("synthetic");
  Model folded = fold_batch_norms(initialised("lenet-5"));
  const ActivationGrids grids = calibrate(folded, dataset, Calibrator::kMinMax);
  GraphQuantOptions w8;
  GraphQuantOptions w2;
  w2.weights.range.bits = 2;
  const std::vector<LayerSensitivity> at8 = quantization_sensitivity(folded, grids, w8, dataset);
  const std::vector<LayerSensitivity> at2 = quantization_sensitivity(folded, grids, w2, dataset);

  std::vector<std::string> layers;
  for (const LayerSensitivity& row : at8) layers.push_back(row.layer);
  CHECK(layers == std::vector<std::string>{"conv1", "conv2", "fc1", "fc2", "all"});
  REQUIRE(at2.size() == at8.size());
  for (size_t i = 0; i < at8.size(); ++i) {
    INFO(at8[i].layer);
    CHECK(std::isfinite(at8[i].sqnr_db));
    CHECK(at8[i].sqnr_db > 20.0);
    CHECK(at2[i].sqnr_db < at8[i].sqnr_db - 6.0);
  }
  // The "all" row is the static PTQ model itself.
  Model quantized = build_static_quantized(folded, grids, w8);
  CHECK(at8.back().accuracy == test_accuracy(quantized, dataset));
}

TEST_CASE("static PTQ's size counts packed codes, one scale per row and FP32 biases",
          "[quant][ptq]") {
  const Dataset dataset = load_dataset("synthetic");
  Model folded = fold_batch_norms(initialised("lenet-5"));
  const ActivationGrids grids = calibrate(folded, dataset, Calibrator::kMinMax);
  for (const int bits : {8, 4, 3}) {
    GraphQuantOptions options;
    options.weights.range.bits = bits;
    Model quantized = build_static_quantized(folded, grids, options);
    int64_t expected = 0;
    for (auto& [name, parameter] : folded.parameters()) {
      const int64_t count = parameter->value.numel();
      const bool is_weight = parameter->value.rank() >= 2;
      expected +=
          is_weight ? packed_size_bytes(count, bits) + 4 * parameter->value.shape()[0] : 4 * count;
    }
    INFO(bits << "-bit weights");
    CHECK(stored_bytes(quantized) == expected);
  }
}

TEST_CASE("dynamic PTQ quantizes every conv/linear and keeps FP32 between them", "[quant][ptq]") {
  Model folded = fold_batch_norms(initialised("resnet-8"));
  const Model quantized =
      build_dynamic_quantized(folded, DynamicRange::kMinMax, Rounding::kHalfToEven, {});
  CHECK(count_kind(quantized, "conv2d") == 0);
  CHECK(count_kind(quantized, "linear") == 0);
  CHECK(count_kind(quantized, "qconv2d") == count_kind(folded, "conv2d"));
  CHECK(count_kind(quantized, "relu") == count_kind(folded, "relu"));
  CHECK(count_kind(quantized, "quantize") == 0);
}

}  // namespace
}  // namespace slim
