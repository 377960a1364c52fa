#include "methods/pruning/dynamic_sparse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "methods/pruning/importance.h"
#include "methods/pruning/mask_selection.h"
#include "methods/pruning/prunable_weights.h"
#include "methods/pruning/pruning_settings.h"
#include "methods/pruning/pruning_training.h"
#include "methods/pruning/sparsity_report.h"

namespace slim {
namespace {

constexpr uint64_t kDynamicTrainStream = 0x64737472;  // "dstr"
constexpr uint64_t kRegrowStream = 0x64737267;        // "dsrg"

// The `count` positions of `candidates` that `before` ranks first, sorted ascending.
template <typename Before>
std::vector<int64_t> first_ranked(std::vector<int64_t> candidates, int64_t count, Before before) {
  const auto cut = candidates.begin() + count;
  std::nth_element(candidates.begin(), cut, candidates.end(), before);
  candidates.erase(cut, candidates.end());
  std::sort(candidates.begin(), candidates.end());
  return candidates;
}

std::vector<float> regrow_scores(const Parameter& parameter, Regrowth regrowth, Rng& rng) {
  std::vector<float> scores(static_cast<size_t>(parameter.value.numel()));
  if (regrowth == Regrowth::kRandom) {
    for (float& score : scores) score = rng.uniform();
    return scores;
  }
  if (parameter.grad.numel() != parameter.value.numel()) {
    fail("dynamic_sparse: gradient regrowth found no gradient for a weight");
  }
  const std::span<const float> grad = std::as_const(parameter.grad).values();
  for (size_t i = 0; i < scores.size(); ++i) scores[i] = std::abs(grad[i]);
  return scores;
}

struct DynamicSparseRun {
  std::vector<PrunableWeight> weights;
  Regrowth regrowth = Regrowth::kGradient;
  double drop_fraction = 0.3;
  int64_t t_end = 0;
  uint64_t seed = 0;
  int updates = 0;
  int64_t regrown = 0;

  void update(int64_t t) {
    const double fraction = drop_fraction_at(drop_fraction, t, t_end);
    Rng rng(pruning_seed(seed, kRegrowStream, static_cast<uint64_t>(updates)));
    for (const PrunableWeight& weight : weights) {
      Parameter& parameter = *weight.parameter;
      const auto count = static_cast<int64_t>(fraction * static_cast<double>(kept_count(weight)));
      const std::vector<float> scores = regrow_scores(parameter, regrowth, rng);
      const MaskExchange exchange =
          choose_exchange(std::as_const(parameter.value).values(),
                          std::as_const(parameter.mask).values(), scores, count);
      apply_exchange(parameter, exchange);
      regrown += static_cast<int64_t>(exchange.regrown.size());
    }
    ++updates;
  }
};

// Positions kept now that were not kept in `initial`, over all weights.
int64_t moved_connections(std::span<const PrunableWeight> weights,
                          const std::vector<Tensor>& initial) {
  int64_t moved = 0;
  for (size_t w = 0; w < weights.size(); ++w) {
    const std::span<const float> now = std::as_const(weights[w].parameter->mask).values();
    const std::span<const float> before = initial[w].values();
    for (size_t i = 0; i < now.size(); ++i) moved += now[i] != 0.0f && before[i] == 0.0f;
  }
  return moved;
}

void apply_dynamic_sparse(Model& model, const nlohmann::json& params, MethodContext& context) {
  const LayerSelection layers = parse_layer_selection(params.at("layers").get<std::string>());
  const double sparsity = params.at("sparsity").get<double>();
  // The baseline's own initial weights: a from-scratch run differs from the dense
  // baseline only by its sparse topology.
  if (params.at("from_init").get<bool>()) reset_to_initial_weights(model, context.seed);
  DynamicSparseRun run;
  run.weights = prunable_weights(model, layers);
  run.regrowth = parse_regrowth(params.at("regrow").get<std::string>());
  run.drop_fraction = params.at("drop_fraction").get<double>();
  run.seed = context.seed;
  prune_to_sparsity(run.weights, magnitude_scores(run.weights), sparsity,
                    parse_threshold_scope(params.at("scope").get<std::string>()));
  std::vector<Tensor> initial_masks;
  for (const PrunableWeight& weight : run.weights) initial_masks.push_back(weight.parameter->mask);

  const Recipe recipe = recipe_from_params(context, params, kDynamicTrainStream);
  const int64_t steps =
      training_steps_per_epoch(context.dataset, recipe.batch_size) * recipe.epochs;
  run.t_end = std::llround(params.at("end").get<double>() * static_cast<double>(steps));
  const int64_t every = params.at("update_every").get<int64_t>();
  TrainHooks hooks;
  hooks.after_step = [&](int64_t step) {
    const int64_t t = step + 1;  // steps taken; the gradient of step t is still in grad
    if (t % every == 0 && t < run.t_end) run.update(t);
  };
  train_in_method(model, context, recipe, std::move(hooks));

  nlohmann::json report = sparsity_report(model, run.weights);
  report["regrowth"] = params.at("regrow");
  report["updates"] = run.updates;
  report["regrown"] = run.regrown;
  report["moved_from_initial_mask"] = moved_connections(run.weights, initial_masks);
  report["steps"] = steps;
  report["t_end"] = run.t_end;
  fmt::print(context.log,
             "dynamic_sparse: {} regrowth, {} updates, {} connections regrown, {:.4f} weight "
             "sparsity\n",
             params.at("regrow").get<std::string>(), run.updates, run.regrown,
             report.at("weight_sparsity").get<double>());
  context.report["dynamic_sparse"] = std::move(report);
}

}  // namespace

const std::vector<std::string>& regrowth_names() {
  static const std::vector<std::string> names = {"random", "gradient"};
  return names;
}

Regrowth parse_regrowth(std::string_view name) {
  if (name == "random") return Regrowth::kRandom;
  if (name == "gradient") return Regrowth::kGradient;
  fail("unknown regrowth '{}'; valid choices: {}", name, fmt::join(regrowth_names(), ", "));
}

double drop_fraction_at(double initial, int64_t t, int64_t t_end) {
  if (t >= t_end) return 0.0;
  const double progress = static_cast<double>(t) / static_cast<double>(t_end);
  return initial / 2.0 * (1.0 + std::cos(std::numbers::pi * progress));
}

MaskExchange choose_exchange(std::span<const float> values, std::span<const float> mask,
                             std::span<const float> regrow_score, int64_t count) {
  if (values.size() != mask.size() || regrow_score.size() != mask.size()) {
    fail("dynamic_sparse: {} values, {} mask entries and {} regrowth scores differ", values.size(),
         mask.size(), regrow_score.size());
  }
  std::vector<int64_t> kept, pruned;
  for (size_t i = 0; i < mask.size(); ++i) {
    (mask[i] != 0.0f ? kept : pruned).push_back(static_cast<int64_t>(i));
  }
  count = std::clamp<int64_t>(count, 0, static_cast<int64_t>(std::min(kept.size(), pruned.size())));
  MaskExchange exchange;
  exchange.dropped = first_ranked(std::move(kept), count, [&](int64_t a, int64_t b) {
    const float ma = std::abs(values[a]), mb = std::abs(values[b]);
    return ma != mb ? ma < mb : a < b;
  });
  exchange.regrown = first_ranked(std::move(pruned), count, [&](int64_t a, int64_t b) {
    return regrow_score[a] != regrow_score[b] ? regrow_score[a] > regrow_score[b] : a < b;
  });
  return exchange;
}

void apply_exchange(Parameter& parameter, const MaskExchange& exchange) {
  const std::span<float> value = parameter.value.values();
  const std::span<float> mask = parameter.mask.values();
  for (int64_t i : exchange.dropped) {
    mask[i] = 0.0f;
    value[i] = 0.0f;
  }
  for (int64_t i : exchange.regrown) {
    mask[i] = 1.0f;
    value[i] = 0.0f;
  }
}

Method dynamic_sparse_method() {
  Method method{
      .name = "dynamic_sparse",
      .family = MethodFamily::kPruning,
      .description = "dynamic sparse training: drop small weights, regrow others (SET or RigL)",
      .params =
          {
              number_param("sparsity", 0.9, 0.0, 0.999, "weight sparsity of the selected weights"),
              choice_param("scope", "layerwise", threshold_scope_names(),
                           "starting masks: the same sparsity per layer (RigL's uniform) or one "
                           "global magnitude threshold; each layer's count is then fixed"),
              choice_param("regrow", "gradient", regrowth_names(),
                           "regrow where |dL/dw| is largest (RigL) or at random (SET)"),
              int_param("update_every", 100, 1, 1000000, "steps between mask updates"),
              number_param("drop_fraction", 0.3, 0.0, 1.0,
                           "fraction of the kept weights exchanged at step 0, cosine-decayed"),
              number_param("end", 0.75, 0.0, 1.0,
                           "last mask update, as a fraction of the training steps"),
              choice_param("layers", "all", layer_selection_names(), "which weights are sparse"),
          },
      .apply = apply_dynamic_sparse,
  };
  add_training_params(method.params, 4,
                      "learning rate as a fraction of the baseline's (1 with from_init)", true);
  return method;
}

}  // namespace slim
