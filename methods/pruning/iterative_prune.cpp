#include "methods/pruning/iterative_prune.h"

#include <fmt/format.h>

#include <cmath>

#include "core/train/trainer.h"
#include "methods/pruning/pruning_settings.h"
#include "methods/pruning/pruning_training.h"
#include "methods/pruning/sparsity_report.h"

namespace slim {
namespace {

constexpr uint64_t kRetrainStream = 0x69746572;  // "iter"

void retrain(Model& model, const nlohmann::json& params, MethodContext& context, int round) {
  const Recipe recipe = pruning_recipe(
      context, params.at("epochs").get<int>(), params.at("lr_scale").get<double>(),
      params.at("schedule").get<std::string>(), kRetrainStream, static_cast<uint64_t>(round));
  train_in_method(model, context, recipe);
}

void apply_iterative_prune(Model& model, const nlohmann::json& params, MethodContext& context) {
  const PruneSettings settings = parse_prune_settings(params);
  const int rounds = params.at("iterations").get<int>();
  nlohmann::json history = nlohmann::json::array();
  for (int round = 1; round <= rounds; ++round) {
    const double sparsity = iterative_sparsity(settings.sparsity, round, rounds);
    prune_pass(model, settings, sparsity, context, static_cast<uint64_t>(round));
    const double pruned_accuracy = evaluate(model, context.dataset, context.dataset.test).accuracy;
    if (params.at("epochs").get<int>() > 0) retrain(model, params, context, round);
    const double accuracy = evaluate(model, context.dataset, context.dataset.test).accuracy;
    fmt::print(context.log,
               "iterative_prune: round {}/{} sparsity {:.4f}: test accuracy {:.4f} pruned, "
               "{:.4f} retrained\n",
               round, rounds, sparsity, pruned_accuracy, accuracy);
    history.push_back({{"round", round},
                       {"sparsity", sparsity},
                       {"accuracy_pruned", pruned_accuracy},
                       {"accuracy_retrained", accuracy}});
  }
  nlohmann::json report = sparsity_report(model, prunable_weights(model, settings.layers));
  report["rounds"] = std::move(history);
  context.report["iterative_prune"] = std::move(report);
}

}  // namespace

double iterative_sparsity(double target, int round, int rounds) {
  const double kept = std::pow(1.0 - target, static_cast<double>(round) / rounds);
  return 1.0 - kept;
}

Method iterative_prune_method() {
  ParamSchema params = prune_setting_params(0.9);
  params.push_back(int_param("iterations", 4, 1, 100, "prune -> retrain rounds"));
  params.push_back(int_param("epochs", 2, 0, 1000, "retraining epochs per round"));
  params.push_back(number_param("lr_scale", 0.1, 1e-6, 10.0,
                                "retraining learning rate as a fraction of the baseline's"));
  params.push_back(choice_param("schedule", "cosine", {"cosine", "constant", "step"},
                                "retraining learning-rate schedule (per round)"));
  return Method{
      .name = "iterative_prune",
      .family = MethodFamily::kPruning,
      .description = "Han et al. 2015: rounds of pruning and retraining at 1/10 learning rate",
      .params = std::move(params),
      .apply = apply_iterative_prune,
  };
}

}  // namespace slim
