// Importance scores for unstructured pruning: one score per weight, higher = keep.
//
//   magnitude  |w|                                   (Han et al. 2015)
//   gradient   first-order Taylor |w * dL/dw|, averaged over mini-batches: the loss
//              change a first-order expansion predicts when w is set to zero
//              (Molchanov et al. 2017). |w*g| is taken per batch, then averaged, so
//              batches whose gradients disagree in sign do not cancel.
//   random     uniform in [0, 1) from the job's seed: the baseline every criterion
//              must beat (ShrinkBench).
// SNIP (Lee et al. 2019) is the gradient score on one batch at initialisation; its
// normalisation by the sum of all scores does not change a top-k, so it is not applied.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/layer.h"
#include "core/model.h"
#include "core/rng.h"
#include "datasets/dataset.h"
#include "methods/pruning/prunable_weights.h"

namespace slim {

enum class Criterion { kMagnitude, kGradient, kRandom };

const std::vector<std::string>& criterion_names();  // "magnitude", "gradient", "random"
Criterion parse_criterion(std::string_view name);

// One score vector per weight, in the order of `weights`, row-major like the values.
using Scores = std::vector<std::vector<float>>;

Scores magnitude_scores(std::span<const PrunableWeight> weights);
Scores random_scores(std::span<const PrunableWeight> weights, Rng& rng);

struct TaylorOptions {
  int64_t batch_size = 128;
  int64_t max_batches = 8;
  // Eval mode for a trained model (BatchNorm keeps its running statistics and is not
  // updated by the scoring passes); train mode for SNIP at initialisation, where the
  // running statistics mean nothing yet.
  Mode mode = Mode::kEval;
  uint64_t seed = 0;  // dropout in train mode
};

// Runs forward/backward over the first max_batches batches of `indices` (train split)
// with cross-entropy on the labels. Gradients are left zeroed.
Scores taylor_scores(Model& model, std::span<const PrunableWeight> weights, const Dataset& dataset,
                     std::span<const int64_t> indices, const TaylorOptions& options);

struct ScoreRequest {
  Criterion criterion = Criterion::kMagnitude;
  const Dataset* dataset = nullptr;  // gradient only
  std::span<const int64_t> indices;  // gradient only: the calibration subset
  TaylorOptions taylor;              // gradient only
  uint64_t seed = 0;                 // random only
};

Scores importance_scores(Model& model, std::span<const PrunableWeight> weights,
                         const ScoreRequest& request);

}  // namespace slim
