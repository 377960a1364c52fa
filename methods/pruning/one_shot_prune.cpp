#include "methods/pruning/one_shot_prune.h"

#include <fmt/format.h>

#include "core/error.h"
#include "methods/pruning/pruning_settings.h"
#include "methods/pruning/sparsity_report.h"

namespace slim {
namespace {

void apply_prune(Model& model, const nlohmann::json& params, MethodContext& context) {
  const PruneSettings settings = parse_prune_settings(params);
  prune_pass(model, settings, settings.sparsity, context);
  const std::vector<PrunableWeight> weights = prunable_weights(model, settings.layers);
  nlohmann::json report = sparsity_report(model, weights);
  fmt::print(context.log, "prune: {} {} to {:.4f} weight sparsity ({:.2f}x fewer parameters)\n",
             params.at("criterion").get<std::string>(), params.at("scope").get<std::string>(),
             report.at("weight_sparsity").get<double>(),
             report.at("parameter_ratio").get<double>());
  context.report["prune"] = std::move(report);
}

void apply_nm_prune(Model& model, const nlohmann::json& params, MethodContext& context) {
  const int n = params.at("n").get<int>();
  const int m = params.at("m").get<int>();
  if (n >= m) fail("nm_prune: n ({}) must be smaller than m ({})", n, m);
  const LayerSelection layers = parse_layer_selection(params.at("layers").get<std::string>());
  const std::vector<PrunableWeight> weights = prunable_weights(model, layers);
  ScoreRequest request = calibration_score_request(
      context, parse_criterion(params.at("criterion").get<std::string>()));
  request.seed = pruning_seed(context.seed, 0x6e6d);  // "nm"
  prune_n_of_m(weights, importance_scores(model, weights, request), n, m);
  nlohmann::json report = sparsity_report(model, weights);
  report["pattern"] = fmt::format("{}:{}", n, m);
  context.report["nm_prune"] = std::move(report);
}

}  // namespace

Method prune_method() {
  return Method{
      .name = "prune",
      .family = MethodFamily::kPruning,
      .description = "one-shot unstructured pruning after training (follow with finetune)",
      .params = prune_setting_params(0.5),
      .apply = apply_prune,
  };
}

Method nm_prune_method() {
  return Method{
      .name = "nm_prune",
      .family = MethodFamily::kPruning,
      .description = "N:M semi-structured pruning: n kept in every m consecutive inputs",
      .params =
          {
              int_param("n", 2, 1, 15, "weights kept per group"),
              int_param("m", 4, 2, 16, "group length along the inputs"),
              choice_param("criterion", "magnitude", criterion_names(),
                           "importance within a group"),
              choice_param("layers", "all", layer_selection_names(), "which weights are pruned"),
          },
      .apply = apply_nm_prune,
  };
}

}  // namespace slim
