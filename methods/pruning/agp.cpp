#include "methods/pruning/agp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "methods/pruning/pruning_settings.h"
#include "methods/pruning/pruning_training.h"
#include "methods/pruning/sparsity_report.h"

namespace slim {
namespace {

constexpr uint64_t kAgpTrainStream = 0x616770;  // "agp"

void apply_agp(Model& model, const nlohmann::json& params, MethodContext& context) {
  PruneSettings settings;
  settings.criterion = Criterion::kMagnitude;
  settings.scope = parse_threshold_scope(params.at("scope").get<std::string>());
  settings.layers = parse_layer_selection(params.at("layers").get<std::string>());
  const double initial = params.at("initial_sparsity").get<double>();
  const double target = params.at("sparsity").get<double>();
  const double start = params.at("start").get<double>();
  const double end = params.at("end").get<double>();
  if (end <= start) fail("agp: end ({}) must come after start ({})", end, start);
  if (initial > target) fail("agp: initial_sparsity ({}) exceeds sparsity ({})", initial, target);

  // The baseline's own initial weights: a from-scratch run differs from the dense
  // baseline only by the pruning.
  if (params.at("from_init").get<bool>()) reset_to_initial_weights(model, context.seed);
  const Recipe recipe = recipe_from_params(context, params, kAgpTrainStream);
  const int64_t total =
      training_steps_per_epoch(context.dataset, recipe.batch_size) * recipe.epochs;
  const auto t0 = static_cast<int64_t>(std::llround(start * static_cast<double>(total)));
  const auto t_end = static_cast<int64_t>(std::llround(end * static_cast<double>(total)));
  const int64_t every = params.at("update_every").get<int64_t>();

  int updates = 0;
  auto update = [&](int64_t t) {
    prune_pass(model, settings, agp_sparsity(initial, target, t, t0, t_end), context);
    ++updates;
  };
  update(0);
  TrainHooks hooks;
  hooks.after_step = [&](int64_t step) {
    const int64_t t = step + 1;  // steps taken
    if (t < t0 || t > t_end) return;
    if ((t - t0) % every == 0 || t == t_end) update(t);
  };
  train_in_method(model, context, recipe, std::move(hooks));
  update(total);  // the target, even when t_end falls past the last step

  nlohmann::json report = sparsity_report(model, prunable_weights(model, settings.layers));
  report["mask_updates"] = updates;
  report["steps"] = total;
  report["t0"] = t0;
  report["t_end"] = t_end;
  context.report["agp"] = std::move(report);
}

}  // namespace

double agp_sparsity(double initial, double final_sparsity, int64_t t, int64_t t0, int64_t t_end) {
  const double span = static_cast<double>(std::max<int64_t>(t_end - t0, 1));
  const double p = std::clamp(static_cast<double>(t - t0) / span, 0.0, 1.0);
  return final_sparsity + (initial - final_sparsity) * std::pow(1.0 - p, 3.0);
}

Method agp_method() {
  ParamSchema params = {
      number_param("sparsity", 0.9, 0.0, 0.999, "final weight sparsity s_f"),
      number_param("initial_sparsity", 0.0, 0.0, 0.999, "s_i at t0"),
      number_param("start", 0.0, 0.0, 1.0, "t0 as a fraction of the training steps"),
      number_param("end", 0.75, 0.0, 1.0, "t_end as a fraction of the training steps"),
      int_param("update_every", 50, 1, 1000000, "steps between mask updates"),
      choice_param("scope", "layerwise", threshold_scope_names(),
                   "per-layer sparsity s_t (the paper) or one global threshold"),
      choice_param("layers", "all", layer_selection_names(), "which weights are pruned"),
  };
  add_training_params(params, 4, "learning rate as a fraction of the baseline's", true);
  return Method{
      .name = "agp",
      .family = MethodFamily::kPruning,
      .description = "gradual magnitude pruning during training on Zhu & Gupta's cubic schedule",
      .params = std::move(params),
      .apply = apply_agp,
  };
}

}  // namespace slim
