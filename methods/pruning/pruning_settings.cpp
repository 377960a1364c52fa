#include "methods/pruning/pruning_settings.h"

#include "core/rng.h"

namespace slim {
namespace {

constexpr uint64_t kRandomScoreStream = 0x70726e72;      // "prnr"
constexpr uint64_t kGradientDropoutStream = 0x70726e67;  // "prng"

}  // namespace

ParamSchema prune_setting_params(double default_sparsity) {
  return {
      choice_param("criterion", "magnitude", criterion_names(),
                   "importance: |w|, Taylor |w*dL/dw| on the calibration set, or random"),
      number_param("sparsity", default_sparsity, 0.0, 0.999,
                   "fraction of the selected weights set to zero (2x = 0.5, 12x ~ 0.917)"),
      choice_param("scope", "global", threshold_scope_names(),
                   "one threshold over all selected weights, or the same sparsity per layer"),
      choice_param("layers", "all", layer_selection_names(), "which weights are pruned"),
      int_param("gradient_batches", 8, 1, 1000,
                "calibration batches the gradient criterion averages over"),
  };
}

PruneSettings parse_prune_settings(const nlohmann::json& params) {
  PruneSettings settings;
  settings.criterion = parse_criterion(params.at("criterion").get<std::string>());
  settings.sparsity = params.at("sparsity").get<double>();
  settings.scope = parse_threshold_scope(params.at("scope").get<std::string>());
  settings.layers = parse_layer_selection(params.at("layers").get<std::string>());
  settings.gradient_batches = params.at("gradient_batches").get<int64_t>();
  return settings;
}

uint64_t pruning_seed(uint64_t job_seed, uint64_t stream, uint64_t round) {
  return Rng(job_seed).split(stream).split(round).next_u64();
}

ScoreRequest calibration_score_request(const MethodContext& context, Criterion criterion) {
  ScoreRequest request;
  request.criterion = criterion;
  request.dataset = &context.dataset;
  request.indices = context.calibration_indices;
  request.taylor.batch_size = context.baseline_recipe.batch_size;
  return request;
}

void prune_pass(Model& model, const PruneSettings& settings, double sparsity,
                MethodContext& context, uint64_t round) {
  const std::vector<PrunableWeight> weights = prunable_weights(model, settings.layers);
  ScoreRequest request = calibration_score_request(context, settings.criterion);
  request.taylor.max_batches = settings.gradient_batches;
  request.taylor.seed = pruning_seed(context.seed, kGradientDropoutStream, round);
  request.seed = pruning_seed(context.seed, kRandomScoreStream, round);
  const Scores scores = importance_scores(model, weights, request);
  prune_to_sparsity(weights, scores, sparsity, settings.scope);
}

}  // namespace slim
