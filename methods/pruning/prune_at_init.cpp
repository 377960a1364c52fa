#include "methods/pruning/prune_at_init.h"

#include <fmt/format.h>

#include "methods/pruning/pruning_settings.h"
#include "methods/pruning/pruning_training.h"
#include "methods/pruning/sparsity_report.h"

namespace slim {
namespace {

constexpr uint64_t kSnipStream = 0x736e6970;   // "snip"
constexpr uint64_t kTrainStream = 0x70616974;  // "pait"

void apply_prune_at_init(Model& model, const nlohmann::json& params, MethodContext& context) {
  reset_to_initial_weights(model, context.seed);

  const bool snip = params.at("criterion").get<std::string>() == "snip";
  PruneSettings settings;
  settings.criterion = snip ? Criterion::kGradient : Criterion::kRandom;
  settings.sparsity = params.at("sparsity").get<double>();
  settings.scope = parse_threshold_scope(params.at("scope").get<std::string>());
  settings.layers = parse_layer_selection(params.at("layers").get<std::string>());
  const std::vector<PrunableWeight> weights = prunable_weights(model, settings.layers);

  ScoreRequest request = calibration_score_request(context, settings.criterion);
  // One batch in training mode: SNIP's saliency at initialisation.
  request.taylor = TaylorOptions{context.baseline_recipe.batch_size, 1, Mode::kTrain,
                                 pruning_seed(context.seed, kSnipStream)};
  request.seed = pruning_seed(context.seed, kSnipStream);
  prune_to_sparsity(weights, importance_scores(model, weights, request), settings.sparsity,
                    settings.scope);

  Recipe recipe = context.baseline_recipe;
  if (const int epochs = params.at("epochs").get<int>(); epochs > 0) recipe.epochs = epochs;
  recipe.seed = pruning_seed(context.seed, kTrainStream);
  fmt::print(context.log, "prune_at_init: {} at {:.4f} sparsity, training {} epoch(s)\n",
             params.at("criterion").get<std::string>(), settings.sparsity, recipe.epochs);
  train_in_method(model, context, recipe);

  nlohmann::json report = sparsity_report(model, prunable_weights(model, settings.layers));
  report["epochs"] = recipe.epochs;
  context.report["prune_at_init"] = std::move(report);
}

}  // namespace

Method prune_at_init_method() {
  return Method{
      .name = "prune_at_init",
      .family = MethodFamily::kPruning,
      .description = "prune at initialisation (SNIP or random), then train the sparse network",
      .params =
          {
              choice_param("criterion", "snip", {"snip", "random"},
                           "SNIP saliency on one batch, or random"),
              number_param("sparsity", 0.9, 0.0, 0.999, "fraction of the weights set to zero"),
              choice_param("scope", "global", threshold_scope_names(),
                           "one threshold over all weights (SNIP), or per layer"),
              choice_param("layers", "all", layer_selection_names(), "which weights are pruned"),
              int_param("epochs", 0, 0, 1000, "training epochs; 0 = the baseline recipe's"),
          },
      .apply = apply_prune_at_init,
  };
}

}  // namespace slim
