// What a pruning step leaves behind, for the job's record (method_report) and tables:
// per layer the weights kept and their fraction (the table Han et al. 2015 print), and
// over the whole model the parameters that remain nonzero, biases and BatchNorm
// included, so "12x fewer weights" can be checked against the paper's own count.
#pragma once

#include <nlohmann/json.hpp>
#include <span>

#include "core/model.h"
#include "methods/pruning/prunable_weights.h"

namespace slim {

// {"layers": [{"name": "fc1.weight", "weights": 235200, "kept": 18816,
//              "kept_fraction": 0.08}, ...],
//  "weights": ..., "kept": ..., "weight_sparsity": ...,
//  "parameters": ..., "nonzero_parameters": ..., "parameter_ratio": ...}
nlohmann::json sparsity_report(Model& model, std::span<const PrunableWeight> weights);

}  // namespace slim
