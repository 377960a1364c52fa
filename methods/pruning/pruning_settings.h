// The parameters every unstructured pruning method shares (criterion, target sparsity,
// threshold scope, which layers), their schema entries, and one pruning pass built from
// them: score the weights, then mask the lowest-scoring ones.
#pragma once

#include <nlohmann/json.hpp>

#include "methods/method.h"
#include "methods/pruning/importance.h"
#include "methods/pruning/mask_selection.h"
#include "methods/pruning/prunable_weights.h"

namespace slim {

struct PruneSettings {
  Criterion criterion = Criterion::kMagnitude;
  double sparsity = 0.5;  // of the selected weights
  ThresholdScope scope = ThresholdScope::kGlobal;
  LayerSelection layers = LayerSelection::kAll;
  int64_t gradient_batches = 8;  // for the gradient criterion
};

// Schema entries: criterion, sparsity, scope, layers, gradient_batches.
ParamSchema prune_setting_params(double default_sparsity);
PruneSettings parse_prune_settings(const nlohmann::json& params);

// Scores the selected weights of a trained model with settings.criterion (gradient on
// the context's calibration subset, random from a stream of the job's seed) and prunes
// them to `sparsity`. `round` separates the random streams of successive passes.
void prune_pass(Model& model, const PruneSettings& settings, double sparsity,
                MethodContext& context, uint64_t round = 0);

// A score request on the context's calibration subset at the baseline's batch size;
// callers add what is their own (batches, mode, seeds).
ScoreRequest calibration_score_request(const MethodContext& context, Criterion criterion);

// Derived seeds for a method's own randomness (pruning scores, fine-tuning shuffles), so
// that none of them repeats the baseline's streams.
uint64_t pruning_seed(uint64_t job_seed, uint64_t stream, uint64_t round = 0);

}  // namespace slim
