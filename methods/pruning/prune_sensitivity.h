// prune_sensitivity: how much each layer tolerates pruning, and a per-layer sparsity
// allocation from it.
//
// For every selected layer alone (all others untouched), a copy of the model is pruned
// by magnitude at sparsity 0 and at each of `points`, and its top-1 accuracy measured on
// the context's calibration indices: samples of the TRAIN split. The test split is never
// read, since the allocation chooses the model whose test accuracy the harness reports.
// (The baseline was trained on those samples too, so the accuracies are optimistic;
// they rank layers, they are not a test estimate.) Sparsity 0 is measured, not assumed,
// and equals the reference accuracy: it checks that nothing but the pruning differs.
//
// With `allocate`, sparsity_allocation.h turns the curves into per-layer sparsities
// reaching the overall `sparsity` exactly (least predicted total drop; no tolerance
// parameter, since a tolerance and a target would over-determine the allocation), and
// the model is pruned layer by layer by magnitude to them (weights an earlier step
// pruned stay pruned, so a layer already sparser than its share keeps its own
// sparsity). Without it the model is left unchanged and only the table is reported.
//
// Report (context.report["prune_sensitivity"]): sparsity_report() of the result, whose
// per-layer entries also carry "curve": [{"sparsity", "accuracy"}...] and, allocated,
// "allocated_sparsity"; plus "reference_accuracy", "samples", "points" and, allocated,
// "target_sparsity", "predicted_drop", "marginal_drop_per_weight" and
// "accuracy_after_allocation" (same samples).
// scripts/pruning-sensitivity plots the curves of a run.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "datasets/dataset.h"
#include "methods/method.h"
#include "methods/pruning/prunable_weights.h"
#include "methods/pruning/sparsity_allocation.h"

namespace slim {

struct PruneSensitivity {
  double reference_accuracy = 0.0;
  std::vector<SensitivityCurve> layers;  // in model order
};

// "0.5, 0.7,0.9" -> {0.5, 0.7, 0.9}: strictly ascending, each in (0, 1); a UserError
// otherwise.
std::vector<double> parse_sparsity_points(std::string_view text);

// The curves described above; `model` is not modified.
PruneSensitivity measure_prune_sensitivity(const Model& model, LayerSelection layers,
                                           std::span<const double> points, const Dataset& dataset,
                                           std::span<const int64_t> indices);

Method prune_sensitivity_method();

}  // namespace slim
