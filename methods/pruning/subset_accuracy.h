// Top-1 accuracy of a model on chosen samples of the train split, in eval mode.
//
// Selection steps (the per-layer sensitivity of prune_sensitivity) must not look at the
// test set, or the test accuracy the harness reports would have chosen its own model.
// They score candidates on the context's calibration indices instead: train samples,
// disjoint from the test split (but not held out from the baseline's training).
#pragma once

#include <cstdint>
#include <span>

#include "core/model.h"
#include "datasets/dataset.h"

namespace slim {

// Fraction of `indices` (into dataset.train) whose argmax logit is the label.
double subset_accuracy(Model& model, const Dataset& dataset, std::span<const int64_t> indices,
                       int64_t batch_size = 500);

}  // namespace slim
