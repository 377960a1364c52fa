// Pruning that schedules itself (methods/pruning/): dynamic sparse training (SET, RigL),
// L1 regularisation then pruning, and the per-layer sensitivity analysis with its
// sparsity allocation. Small hand-made cases pin the selection rules exactly; short runs
// on lenet-300-100 and the synthetic dataset check the methods as the registry runs them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/json_path.h"
#include "core/train/init.h"
#include "datasets/synthetic.h"
#include "methods/param_schema.h"
#include "methods/pruning/dynamic_sparse.h"
#include "methods/pruning/importance.h"
#include "methods/pruning/l1_prune.h"
#include "methods/pruning/mask_selection.h"
#include "methods/pruning/prunable_weights.h"
#include "methods/pruning/prune_sensitivity.h"
#include "methods/pruning/pruning_training.h"
#include "methods/pruning/sparsity_allocation.h"
#include "methods/registry.h"
#include "models/zoo.h"

namespace slim {
namespace {

Model initialised(const std::string& name, uint64_t seed = 7) {
  Model model = find_model(name).build({1, 28, 28}, 10);
  Rng rng(seed);
  init_parameters(model, rng);
  return model;
}

std::vector<int64_t> first_indices(int64_t count) {
  std::vector<int64_t> indices(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) indices[static_cast<size_t>(i)] = i;
  return indices;
}

// Runs a registered method with a one-epoch, batch-64 baseline recipe; returns its report.
nlohmann::json run_method(const std::string& name, Model& model, const nlohmann::json& given,
                          const Dataset& dataset) {
  const Method& method = find_method(name);
  Recipe recipe;
  recipe.epochs = 1;
  recipe.batch_size = 64;
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  MethodContext context{dataset, recipe, first_indices(256), 3, quiet};
  method.apply(model, resolve_params(method.params, given, JsonPath("test")), context);
  return context.report;
}

int64_t masked_but_nonzero(const std::vector<PrunableWeight>& weights) {
  int64_t count = 0;
  for (const PrunableWeight& weight : weights) {
    const auto mask = std::as_const(weight.parameter->mask).values();
    const auto values = std::as_const(weight.parameter->value).values();
    for (size_t i = 0; i < values.size(); ++i) count += mask[i] == 0.0f && values[i] != 0.0f;
  }
  return count;
}

int64_t total_weights(const std::vector<PrunableWeight>& weights) {
  int64_t total = 0;
  for (const PrunableWeight& weight : weights) total += weight.numel();
  return total;
}

SensitivityCurve flat_curve(std::string name, int64_t weights, double accuracy) {
  SensitivityCurve layer{std::move(name), weights, {}};
  for (double s : {0.0, 0.5, 0.7, 0.9, 0.98}) layer.curve.push_back({s, accuracy});
  return layer;
}

}  // namespace

TEST_CASE("a mask exchange drops the smallest kept and regrows the best pruned", "[pruning]") {
  const std::vector<float> values = {0.5f, -0.1f, 0.0f, 0.3f, 0.0f, 0.05f, 0.0f, -0.7f};
  const std::vector<float> mask = {1, 1, 0, 1, 0, 1, 0, 1};
  // |dL/dw|: kept positions score high to show they are never regrown candidates.
  const std::vector<float> grad = {9.0f, 0.2f, 0.4f, 8.0f, 0.1f, 7.0f, 0.9f, 6.0f};
  const MaskExchange two = choose_exchange(values, mask, grad, 2);
  CHECK(two.dropped == std::vector<int64_t>{1, 5});  // |w| = 0.1 and 0.05
  CHECK(two.regrown == std::vector<int64_t>{2, 6});  // |g| = 0.4 and 0.9 (0.1 loses)

  // Asked for more than there are pruned positions: capped, and nothing just dropped
  // comes back (the three regrown were all pruned before).
  const MaskExchange capped = choose_exchange(values, mask, grad, 10);
  CHECK(capped.regrown == std::vector<int64_t>{2, 4, 6});
  CHECK(capped.dropped == std::vector<int64_t>{1, 3, 5});

  // Ties go to the lower position, in both lists.
  const std::vector<float> tied_values = {0.2f, 0.2f, 0.0f, 0.0f, 0.2f};
  const std::vector<float> tied_mask = {1, 1, 0, 0, 1};
  const std::vector<float> equal = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
  const MaskExchange tied = choose_exchange(tied_values, tied_mask, equal, 1);
  CHECK(tied.dropped == std::vector<int64_t>{0});
  CHECK(tied.regrown == std::vector<int64_t>{2});

  Parameter parameter{Tensor({2, 4}, values), Tensor(), Tensor({2, 4}, mask), nullptr};
  apply_exchange(parameter, two);
  const std::vector<float> expected_mask = {1, 0, 1, 1, 0, 0, 1, 1};
  const std::vector<float> expected_values = {0.5f, 0.0f, 0.0f, 0.3f, 0.0f, 0.0f, 0.0f, -0.7f};
  CHECK(std::vector<float>(parameter.mask.values().begin(), parameter.mask.values().end()) ==
        expected_mask);
  CHECK(std::vector<float>(parameter.value.values().begin(), parameter.value.values().end()) ==
        expected_values);

  CHECK(drop_fraction_at(0.3, 0, 100) == Approx(0.3));
  CHECK(drop_fraction_at(0.3, 50, 100) == Approx(0.15));
  CHECK(drop_fraction_at(0.3, 100, 100) == 0.0);
  CHECK(drop_fraction_at(0.3, 250, 100) == 0.0);
}

TEST_CASE("dynamic sparse training keeps every layer's sparsity and moves connections",
          "[pruning]") {
  const Dataset dataset = make_synthetic();
  for (const std::string regrow : {"gradient", "random"}) {
    INFO(regrow);
    Model model = initialised("lenet-300-100");
    // The method's starting masks: layer-wise magnitude at the same sparsity.
    Model start = model;
    const std::vector<PrunableWeight> initial = prunable_weights(start, LayerSelection::kAll);
    prune_to_sparsity(initial, magnitude_scores(initial), 0.9, ThresholdScope::kLayerwise);

    // One epoch: 2000 samples / 64 = 32 steps; updates at 5, 10, 15, 20 (t_end = 24).
    const nlohmann::json report = run_method(
        "dynamic_sparse", model,
        {{"regrow", regrow}, {"update_every", 5}, {"sparsity", 0.9}, {"epochs", 1}}, dataset);
    const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
    int64_t moved = 0;
    for (size_t w = 0; w < weights.size(); ++w) {
      INFO(weights[w].name);
      CHECK(kept_count(weights[w]) == kept_count(initial[w]));
      CHECK(kept_count(weights[w]) == std::llround(0.1 * static_cast<double>(weights[w].numel())));
      const auto now = weights[w].parameter->mask.values();
      const auto before = initial[w].parameter->mask.values();
      for (size_t i = 0; i < now.size(); ++i) moved += now[i] != before[i];
    }
    CHECK(moved > 0);
    CHECK(masked_but_nonzero(weights) == 0);
    const nlohmann::json& dst = report.at("dynamic_sparse");
    CHECK(dst.at("updates").get<int>() == 4);
    CHECK(dst.at("regrown").get<int64_t>() > 0);
    CHECK(dst.at("moved_from_initial_mask").get<int64_t>() * 2 == moved);
  }
}

TEST_CASE("the L1 proximal step is an exact soft threshold", "[pruning]") {
  std::vector<float> values = {0.5f, -0.3f, 0.05f, -0.05f, 0.0f, 0.1f, -0.1f, -0.25f};
  soft_threshold(values, 0.1f);
  const std::vector<float> expected = {0.5f - 0.1f, -(0.3f - 0.1f), 0.0f, 0.0f,
                                       0.0f,        0.0f,           0.0f, -(0.25f - 0.1f)};
  CHECK(values == expected);
  for (size_t i = 2; i < 7; ++i) CHECK_FALSE(std::signbit(values[i]));  // +0, not -0
  std::vector<float> unchanged = {0.5f, -0.3f};
  soft_threshold(unchanged, 0.0f);
  CHECK(unchanged == std::vector<float>{0.5f, -0.3f});
}

TEST_CASE("l1_prune reaches its sparsity, and a large lambda alone makes exact zeros",
          "[pruning]") {
  const Dataset dataset = make_synthetic();
  Model model = initialised("lenet-300-100");
  const nlohmann::json report = run_method(
      "l1_prune", model,
      {{"sparsity", 0.8}, {"epochs", 1}, {"scope", "layerwise"}, {"finetune_epochs", 1}}, dataset);
  const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
  for (const PrunableWeight& weight : weights) {
    INFO(weight.name);
    CHECK(kept_count(weight) == std::llround(0.2 * static_cast<double>(weight.numel())));
  }
  CHECK(masked_but_nonzero(weights) == 0);  // through the fine-tuning too
  const double small_lambda_zeros = report.at("l1_prune").at("l1_zero_fraction").get<double>();

  // lr 0.005 for 32 steps shrinks |w| by up to ~0.08 at lambda 1; He-initialised weights
  // of fc1 have std 0.05, so most of them end at exactly zero before any pruning.
  Model strong = initialised("lenet-300-100");
  const nlohmann::json strong_report =
      run_method("l1_prune", strong, {{"lambda", 1.0}, {"sparsity", 0.5}, {"epochs", 1}}, dataset);
  const double zeros = strong_report.at("l1_prune").at("l1_zero_fraction").get<double>();
  INFO("exact zeros after the L1 phase: lambda 1e-4 " << small_lambda_zeros << ", lambda 1 "
                                                      << zeros);
  CHECK(zeros > 0.5);
  CHECK(zeros > small_lambda_zeros);
  const std::vector<PrunableWeight> strong_weights = prunable_weights(strong, LayerSelection::kAll);
  int64_t kept = 0;
  for (const PrunableWeight& weight : strong_weights) kept += kept_count(weight);
  CHECK(kept == std::llround(0.5 * static_cast<double>(total_weights(strong_weights))));
}

TEST_CASE("sparsity allocation gives sensitive layers less, and hits the target exactly",
          "[pruning]") {
  const double reference = 0.9;
  SensitivityCurve robust = flat_curve("robust", 1000, reference);
  robust.curve[3].accuracy = 0.89;  // 0.01 lost at 0.9
  robust.curve[4].accuracy = 0.85;  // 0.05 at 0.98
  const SensitivityCurve fragile{
      "fragile", 1000, {{0.0, 0.9}, {0.5, 0.6}, {0.7, 0.4}, {0.9, 0.2}, {0.98, 0.1}}};
  const std::vector<SensitivityCurve> layers = {robust, fragile};
  const SparsityAllocation allocation = allocate_sparsity(layers, reference, 0.5);
  // By hand: 1000 weights to remove. Hull slopes (drop per unit sparsity): robust 0 to
  // 0.7, 0.05 to 0.9, 0.5 to 0.98; fragile 0.6 to 0.5, then 1 and 1.25. Cheapest first:
  // robust to 0.98 (980 weights), then 20 of fragile's first segment, s = 0.02.
  INFO("marginal drop per weight " << allocation.marginal_drop_per_weight);
  CHECK(allocation.kept == std::vector<int64_t>{20, 980});
  CHECK(allocation.marginal_drop_per_weight == Approx(0.6 / 1000));
  CHECK(allocation.predicted_drop == Approx(0.05 + 0.6 * 0.02));

  // Flat curves cannot tell layers apart: the same sparsity everywhere.
  const std::vector<SensitivityCurve> flat = {flat_curve("a", 100, 0.8), flat_curve("b", 200, 0.8),
                                              flat_curve("c", 300, 0.8)};
  CHECK(allocate_sparsity(flat, 0.8, 0.6).kept == std::vector<int64_t>{40, 80, 120});
  CHECK(allocate_sparsity(flat, 0.8, 0.0).kept == std::vector<int64_t>{100, 200, 300});
  // Odd sizes: the total is exact and every layer within one weight of its share.
  const std::vector<SensitivityCurve> odd = {flat_curve("a", 7, 0.8), flat_curve("b", 13, 0.8),
                                             flat_curve("c", 101, 0.8)};
  const SparsityAllocation rounded = allocate_sparsity(odd, 0.8, 0.37);
  CHECK(rounded.kept[0] + rounded.kept[1] + rounded.kept[2] == std::llround(0.63 * 121));
  CHECK(std::abs(static_cast<double>(rounded.kept[2]) - 0.63 * 101) < 1.0);
  CHECK_THROWS_WITH(allocate_sparsity(flat, 0.8, 0.99), Catch::Contains("add a larger point"));

  // Non-convex and noisy: "cliff" loses 0.2 at 0.5 and nothing more (its accuracy even
  // recovers, which the running max ignores); "steady" loses 0.3 per unit sparsity. On
  // the cliff's hull, 0.2 over 0.98 is cheaper per weight than the steady 0.3, so the
  // cliff is pruned to its largest point first although its first step is steeper.
  const SensitivityCurve cliff{
      "cliff", 1000, {{0.0, 0.9}, {0.5, 0.7}, {0.7, 0.75}, {0.9, 0.7}, {0.98, 0.95}}};
  const SensitivityCurve steady{
      "steady", 1000, {{0.0, 0.9}, {0.5, 0.75}, {0.7, 0.69}, {0.9, 0.63}, {0.98, 0.606}}};
  const std::vector<SensitivityCurve> uneven = {cliff, steady};
  const SparsityAllocation hull = allocate_sparsity(uneven, 0.9, 0.49);
  CHECK(hull.kept == std::vector<int64_t>{20, 1000});
  CHECK(hull.predicted_drop == Approx(0.2));
}

TEST_CASE("sparsity points parse strictly", "[pruning]") {
  CHECK(parse_sparsity_points("0.5, 0.7,0.9") == std::vector<double>{0.5, 0.7, 0.9});
  CHECK_THROWS_WITH(parse_sparsity_points("0.5,0.5"), Catch::Contains("ascending"));
  CHECK_THROWS_WITH(parse_sparsity_points("0.5,x"), Catch::Contains("not a number"));
  CHECK_THROWS_WITH(parse_sparsity_points("0.5,1"), Catch::Contains("not in (0, 1)"));
  CHECK_THROWS(parse_sparsity_points(""));
}

TEST_CASE("prune_sensitivity reports curves on train samples and allocates to the target",
          "[pruning]") {
  const Dataset dataset = make_synthetic();
  Model model = initialised("lenet-300-100");
  run_method("finetune", model, {{"epochs", 1}, {"lr_scale", 1.0}}, dataset);
  Model trained = model;

  // Report only: the table, and the model untouched (the analysis runs on a copy).
  const nlohmann::json only =
      run_method("prune_sensitivity", model, {{"allocate", false}}, dataset);
  const nlohmann::json& table = only.at("prune_sensitivity");
  const double reference = table.at("reference_accuracy").get<double>();
  INFO("reference accuracy on 256 train samples " << reference);
  CHECK(reference > 0.5);  // trained: the curves measure something
  CHECK(table.at("samples").get<int64_t>() == 256);
  REQUIRE(table.at("layers").size() == 3);
  for (const nlohmann::json& layer : table.at("layers")) {
    INFO(layer.dump());
    const nlohmann::json& curve = layer.at("curve");
    REQUIRE(curve.size() == 7);  // 0 and the six default points
    CHECK(curve[0].at("sparsity").get<double>() == 0.0);
    CHECK(curve[0].at("accuracy").get<double>() == reference);  // measured, not copied
    CHECK(curve[6].at("sparsity").get<double>() == 0.98);
    CHECK(layer.at("weights").get<int64_t>() > 0);
    CHECK_FALSE(layer.contains("allocated_sparsity"));
  }
  for (const auto& [name, parameter] : model.parameters()) {
    INFO(name);
    CHECK_FALSE(parameter->has_mask());
    const auto now = std::as_const(parameter->value).values();
    const auto before = std::as_const(trained.parameter(name).value).values();
    CHECK(std::equal(now.begin(), now.end(), before.begin()));
  }

  // Allocated: every layer at its allocated sparsity, the total exact.
  const nlohmann::json allocated =
      run_method("prune_sensitivity", model, {{"sparsity", 0.9}}, dataset);
  const nlohmann::json& result = allocated.at("prune_sensitivity");
  const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
  int64_t kept = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const nlohmann::json& layer = result.at("layers").at(i);
    const double sparsity = layer.at("allocated_sparsity").get<double>();
    INFO(weights[i].name << " allocated " << sparsity);
    CHECK(kept_count(weights[i]) ==
          std::llround((1.0 - sparsity) * static_cast<double>(weights[i].numel())));
    CHECK(layer.at("kept").get<int64_t>() == kept_count(weights[i]));
    kept += kept_count(weights[i]);
  }
  CHECK(kept == std::llround(0.1 * static_cast<double>(total_weights(weights))));
  CHECK(masked_but_nonzero(weights) == 0);
  CHECK(result.at("predicted_drop").get<double>() >= 0.0);
  CHECK(result.contains("accuracy_after_allocation"));
}

}  // namespace slim

namespace slim {
namespace {

// Pruning at initialisation and distillation from scratch rewind a trained model: what
// they start from must be the seed's fresh model exactly, BatchNorm state included, or a
// resnet would keep its trained scales and running statistics.
TEST_CASE("reset_to_initial_weights rewinds a trained resnet-8 to its fresh state, BatchNorm too",
          "[pruning]") {
  constexpr uint64_t kSeed = 11;
  Model fresh = find_model("resnet-8").build({1, 28, 28}, 10);
  Rng init_rng = Rng(kSeed).split(kInitStream);
  init_parameters(fresh, init_rng);

  Model trained = fresh;
  for (auto& [name, parameter] : trained.parameters()) parameter->value.fill(0.25f);
  for (auto& [name, buffer] : trained.buffers()) buffer->fill(3.0f);
  reset_to_initial_weights(trained, kSeed);

  auto fresh_parameters = fresh.parameters();
  auto reset_parameters = trained.parameters();
  REQUIRE(fresh_parameters.size() == reset_parameters.size());
  for (size_t i = 0; i < fresh_parameters.size(); ++i) {
    CAPTURE(fresh_parameters[i].first);
    CHECK(fresh_parameters[i].second->value.vector() == reset_parameters[i].second->value.vector());
  }
  auto fresh_buffers = fresh.buffers();
  auto reset_buffers = trained.buffers();
  REQUIRE(!fresh_buffers.empty());
  for (size_t i = 0; i < fresh_buffers.size(); ++i) {
    CAPTURE(fresh_buffers[i].first);
    CHECK(fresh_buffers[i].second->vector() == reset_buffers[i].second->vector());
  }
}

}  // namespace
}  // namespace slim
