// Unstructured and N:M pruning (methods/pruning/): mask selection, schedules, masks that
// persist through training, and the methods as the registry runs them.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/json_path.h"
#include "core/train/init.h"
#include "core/train/loss.h"
#include "datasets/batch_loader.h"
#include "datasets/synthetic.h"
#include "methods/param_schema.h"
#include "methods/pruning/agp.h"
#include "methods/pruning/importance.h"
#include "methods/pruning/iterative_prune.h"
#include "methods/pruning/mask_selection.h"
#include "methods/pruning/prunable_weights.h"
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

int64_t zeros_in(const Parameter& parameter) {
  int64_t zeros = 0;
  for (float v : parameter.value.values()) zeros += v == 0.0f;
  return zeros;
}

int64_t total_weights(const std::vector<PrunableWeight>& weights) {
  int64_t total = 0;
  for (const PrunableWeight& weight : weights) total += weight.numel();
  return total;
}

std::vector<int64_t> calibration(int64_t count) {
  std::vector<int64_t> indices(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) indices[i] = i;
  return indices;
}

// Returns what the method put in its report.
nlohmann::json run_method(const std::string& name, Model& model, const nlohmann::json& given,
                          const Dataset& dataset,
                          const std::vector<int64_t>& indices = calibration(256)) {
  const Method& method = find_method(name);
  Recipe recipe;
  recipe.epochs = 1;
  recipe.batch_size = 64;
  // Training progress goes nowhere: the tests check results, not text.
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  MethodContext context{dataset, recipe, indices, 3, quiet};
  method.apply(model, resolve_params(method.params, given, JsonPath("test")), context);
  return context.report;
}

}  // namespace

TEST_CASE("global magnitude pruning keeps exactly the largest weights", "[pruning]") {
  Model model = initialised("lenet-300-100");
  const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
  REQUIRE(weights.size() == 3);
  prune_to_sparsity(weights, magnitude_scores(weights), 0.9, ThresholdScope::kGlobal);

  const int64_t total = total_weights(weights);
  int64_t kept = 0;
  float smallest_kept = INFINITY, largest_pruned = 0.0f;
  for (const PrunableWeight& weight : weights) {
    kept += kept_count(weight);
    const Parameter& p = *weight.parameter;
    for (int64_t i = 0; i < weight.numel(); ++i) {
      if (p.mask.values()[i] != 0.0f) {
        smallest_kept = std::min(smallest_kept, std::abs(p.value.values()[i]));
      } else {
        CHECK(p.value.values()[i] == 0.0f);  // pruned values are zeroed, not only masked
      }
    }
  }
  // Pruned magnitudes were read before zeroing: compare against a fresh copy.
  Model original = initialised("lenet-300-100");
  for (const PrunableWeight& weight : weights) {
    const Parameter& before = original.parameter(weight.name);
    for (int64_t i = 0; i < weight.numel(); ++i) {
      if (weight.parameter->mask.values()[i] == 0.0f) {
        largest_pruned = std::max(largest_pruned, std::abs(before.value.values()[i]));
      }
    }
  }
  CHECK(kept == std::llround(0.1 * static_cast<double>(total)));
  CHECK(largest_pruned <= smallest_kept);
}

TEST_CASE("layer-wise pruning reaches the sparsity in every layer", "[pruning]") {
  Model model = initialised("lenet-5");
  const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
  prune_to_sparsity(weights, magnitude_scores(weights), 0.75, ThresholdScope::kLayerwise);
  for (const PrunableWeight& weight : weights) {
    INFO(weight.name);
    CHECK(kept_count(weight) == std::llround(0.25 * static_cast<double>(weight.numel())));
    CHECK(zeros_in(*weight.parameter) >= weight.numel() - kept_count(weight));
  }
}

TEST_CASE("a second pass prunes only more: pruned weights are never regrown", "[pruning]") {
  Model model = initialised("lenet-300-100");
  const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
  Rng rng(11);
  prune_to_sparsity(weights, random_scores(weights, rng), 0.5, ThresholdScope::kGlobal);
  std::vector<Tensor> first;
  for (const PrunableWeight& weight : weights) first.push_back(weight.parameter->mask);
  // New random scores would resurrect half the pruned weights if masks were recomputed.
  prune_to_sparsity(weights, random_scores(weights, rng), 0.8, ThresholdScope::kGlobal);
  int64_t kept = 0;
  for (size_t w = 0; w < weights.size(); ++w) {
    const auto now = weights[w].parameter->mask.values();
    const auto before = first[w].values();
    for (size_t i = 0; i < now.size(); ++i) CHECK(now[i] <= before[i]);
    kept += kept_count(weights[w]);
  }
  CHECK(kept == std::llround(0.2 * static_cast<double>(total_weights(weights))));
}

TEST_CASE("layer selection restricts pruning to conv or linear weights", "[pruning]") {
  Model model = initialised("lenet-5");
  const std::vector<PrunableWeight> conv = prunable_weights(model, LayerSelection::kConv);
  REQUIRE(conv.size() == 2);
  prune_to_sparsity(conv, magnitude_scores(conv), 0.5, ThresholdScope::kLayerwise);
  CHECK(!model.parameter("fc1.weight").has_mask());
  CHECK(zeros_in(model.parameter("fc1.weight")) == 0);
  CHECK(model.parameter("conv2.weight").has_mask());
  CHECK_THROWS_WITH(parse_layer_selection("dense"),
                    Catch::Contains("valid choices: all, conv, linear"));
}

TEST_CASE("every N:M mask is valid, also on rows that are not a multiple of m", "[pruning]") {
  Model model = initialised("lenet-5");  // conv1 rows have 25 inputs, conv2 500, fc1 800
  const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
  for (auto [n, m] : {std::pair{2, 4}, std::pair{1, 4}, std::pair{4, 8}}) {
    Model copy = model;
    const std::vector<PrunableWeight> w = prunable_weights(copy, LayerSelection::kAll);
    prune_n_of_m(w, magnitude_scores(w), n, m);
    for (const PrunableWeight& weight : w) {
      INFO(weight.name << " " << n << ":" << m);
      const auto values = weight.parameter->value.values();
      CHECK(satisfies_n_of_m(values, weight.rows, weight.cols, n, m));
      // Exactly n per full group, and the largest |w| of each group survives.
      const int64_t full_groups = weight.rows * (weight.cols / m);
      const int64_t tail = weight.cols % m;
      CHECK(kept_count(weight) == full_groups * n + weight.rows * std::min<int64_t>(tail, n));
      const auto original = model.parameter(weight.name).value.values();
      for (int64_t r = 0; r < weight.rows; ++r) {
        int64_t best = r * weight.cols;
        for (int64_t c = 1; c < std::min<int64_t>(m, weight.cols); ++c) {
          if (std::abs(original[r * weight.cols + c]) > std::abs(original[best])) {
            best = r * weight.cols + c;
          }
        }
        CHECK(values[best] != 0.0f);
      }
    }
  }
  const std::vector<float> dense = {1, 2, 0, 0, 3, 0, 4, 5};
  CHECK(satisfies_n_of_m(dense, 1, 8, 2, 4) == false);
  CHECK(satisfies_n_of_m(dense, 2, 4, 2, 4) == false);  // {3, 0, 4, 5}: three kept
  const std::vector<float> valid = {1, 2, 0, 0, 3, 0, 0, 5};
  CHECK(satisfies_n_of_m(valid, 2, 4, 2, 4));
  CHECK_THROWS(prune_n_of_m(weights, magnitude_scores(weights), 4, 4));
}

TEST_CASE("the gradient criterion is |w * dL/dw| averaged over batches", "[pruning]") {
  const Dataset dataset = make_synthetic();
  Model model = initialised("lenet-300-100");
  const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
  const std::vector<int64_t> indices = calibration(64);
  TaylorOptions options;
  options.batch_size = 32;
  options.max_batches = 2;
  const Scores scores = taylor_scores(model, weights, dataset, indices, options);

  // The same two batches by hand.
  Model reference = initialised("lenet-300-100");
  BatchLoader loader(dataset, dataset.train, indices, BatchOptions{32});
  std::vector<float> expected(static_cast<size_t>(weights[2].numel()), 0.0f);
  Batch batch;
  Tensor grad;
  for (int64_t b = 0; b < 2; ++b) {
    loader.fill_batch(b, batch);
    const Tensor& logits = reference.forward(batch.x, {Mode::kEval, nullptr});
    cross_entropy(logits, batch.labels, &grad);
    reference.zero_grad();
    reference.backward(grad);
    const Parameter& p = reference.parameter("fc3.weight");
    for (size_t i = 0; i < expected.size(); ++i) {
      expected[i] += 0.5f * std::abs(p.value.values()[i] * p.grad.values()[i]);
    }
  }
  double worst = 0.0;
  for (size_t i = 0; i < expected.size(); ++i) {
    worst = std::max(worst, static_cast<double>(std::abs(expected[i] - scores[2][i])));
  }
  INFO("largest difference " << worst);
  CHECK(worst < 1e-6);
  for (const PrunableWeight& weight : weights) {
    for (float g : weight.parameter->grad.values()) REQUIRE(g == 0.0f);  // left zeroed
  }
}

TEST_CASE("random scores depend on the seed only", "[pruning]") {
  Model model = initialised("lenet-300-100");
  const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
  Rng a(5), b(5), c(6);
  const Scores first = random_scores(weights, a);
  CHECK(first == random_scores(weights, b));
  CHECK(first != random_scores(weights, c));
}

TEST_CASE("the AGP and iterative schedules reach their targets", "[pruning]") {
  CHECK(agp_sparsity(0.0, 0.9, 0, 0, 100) == Approx(0.0));
  CHECK(agp_sparsity(0.0, 0.9, 100, 0, 100) == Approx(0.9));
  CHECK(agp_sparsity(0.0, 0.9, 250, 0, 100) == Approx(0.9));
  // (1 - 1/2)^3 = 1/8 of the distance is left halfway.
  CHECK(agp_sparsity(0.1, 0.9, 60, 10, 110) == Approx(0.9 - 0.8 / 8.0));
  double previous = -1.0;
  for (int64_t t = 0; t <= 100; t += 5) {
    const double s = agp_sparsity(0.0, 0.9, t, 0, 100);
    CHECK(s >= previous);
    previous = s;
  }
  CHECK(iterative_sparsity(0.9375, 4, 4) == Approx(0.9375));
  CHECK(iterative_sparsity(0.9375, 1, 4) == Approx(0.5));  // 1/16 kept = (1/2)^4
  CHECK(iterative_sparsity(0.9375, 2, 4) == Approx(0.75));
}

TEST_CASE("masks stay exactly zero through fine-tuning", "[pruning]") {
  const Dataset dataset = make_synthetic();
  Model model = initialised("lenet-300-100");
  run_method("prune", model, {{"sparsity", 0.8}}, dataset);
  Model pruned = model;
  run_method("finetune", model, {{"epochs", 1}, {"lr_scale", 1.0}}, dataset);
  int64_t moved = 0, masked_but_nonzero = 0, masked = 0;
  for (const auto& [name, parameter] : model.parameters()) {
    if (!parameter->has_mask()) continue;
    const auto before = std::as_const(pruned.parameter(name).value).values();
    const auto mask = parameter->mask.values();
    const auto after = parameter->value.values();
    for (size_t i = 0; i < after.size(); ++i) {
      if (mask[i] == 0.0f) {
        ++masked;
        masked_but_nonzero += after[i] != 0.0f;
      } else {
        moved += after[i] != before[i];
      }
    }
  }
  CHECK(masked > 0);
  CHECK(masked_but_nonzero == 0);
  CHECK(moved > 0);  // fine-tuning did train the kept weights
}

TEST_CASE("iterative_prune, agp and prune_at_init end at their target sparsity", "[pruning]") {
  const Dataset dataset = make_synthetic();
  struct Case {
    std::string method;
    nlohmann::json params;
    std::string report;
  };
  const std::vector<Case> cases = {
      {"iterative_prune", {{"sparsity", 0.9}, {"iterations", 2}, {"epochs", 1}}, "iterative_prune"},
      {"agp", {{"sparsity", 0.8}, {"epochs", 1}, {"update_every", 5}, {"scope", "global"}}, "agp"},
      {"prune_at_init", {{"criterion", "snip"}, {"sparsity", 0.8}, {"epochs", 1}}, "prune_at_init"},
      {"prune_at_init",
       {{"criterion", "random"}, {"sparsity", 0.8}, {"epochs", 1}, {"scope", "layerwise"}},
       "prune_at_init"},
  };
  for (const Case& c : cases) {
    INFO(c.method << " " << c.params.dump());
    Model model = initialised("lenet-300-100");
    const nlohmann::json report = run_method(c.method, model, c.params, dataset);
    const std::vector<PrunableWeight> weights = prunable_weights(model, LayerSelection::kAll);
    int64_t kept = 0, masked_but_nonzero = 0;
    for (const PrunableWeight& weight : weights) {
      kept += kept_count(weight);
      const auto mask = weight.parameter->mask.values();
      const auto values = weight.parameter->value.values();
      for (size_t i = 0; i < values.size(); ++i) {
        masked_but_nonzero += mask[i] == 0.0f && values[i] != 0.0f;
      }
    }
    CHECK(masked_but_nonzero == 0);
    const double target = c.params.at("sparsity").get<double>();
    // Layer-wise targets round per layer: at most one weight off in each.
    const int64_t expected =
        std::llround((1.0 - target) * static_cast<double>(total_weights(weights)));
    CHECK(std::abs(kept - expected) <= static_cast<int64_t>(weights.size()));
    REQUIRE(report.contains(c.report));
    CHECK(report.at(c.report).at("kept").get<int64_t>() == kept);
  }
}

}  // namespace slim
