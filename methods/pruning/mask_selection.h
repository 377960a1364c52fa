// Turning importance scores into masks.
//
// prune_to_sparsity keeps the highest-scoring weights so that a fraction `sparsity` of
// the weights is zero, counted over all selected weights together (global threshold) or
// in each layer separately (layer-wise). Weights a previous step already pruned stay
// pruned and count towards the target, so iterative schedules only ever remove more.
// Ties are broken by position, so the same scores always give the same mask.
//
// prune_n_of_m keeps, in every group of m consecutive inputs of a row (the [rows, cols]
// view of prunable_weights.h), the n highest-scoring weights: the 2:4 pattern sparse
// tensor cores and kernels/sparse read. A row whose length is not a multiple of m ends
// in a shorter group that keeps at most n.
//
// Both write Parameter::mask and zero the pruned values; the optimizer keeps them zero.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "methods/pruning/importance.h"
#include "methods/pruning/prunable_weights.h"

namespace slim {

enum class ThresholdScope { kLayerwise, kGlobal };

const std::vector<std::string>& threshold_scope_names();  // "layerwise", "global"
ThresholdScope parse_threshold_scope(std::string_view name);

void prune_to_sparsity(std::span<const PrunableWeight> weights, const Scores& scores,
                       double sparsity, ThresholdScope scope);

void prune_n_of_m(std::span<const PrunableWeight> weights, const Scores& scores, int n, int m);

// True when every group of m consecutive columns in every row holds at most n nonzeros.
bool satisfies_n_of_m(std::span<const float> values, int64_t rows, int64_t cols, int n, int m);

// Multiplies each value by its mask (a no-op for weights without one).
void apply_masks(std::span<const PrunableWeight> weights);

}  // namespace slim
