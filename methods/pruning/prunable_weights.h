// The weights a pruning method may zero: every Conv2d and Linear weight (biases,
// BatchNorm and quantized layers are left alone), optionally only one of the two kinds.
//
// Each entry is viewed as a [rows, cols] matrix, rows = output channels: the layout the
// sparse formats (core/storage, kernels/sparse) and N:M groups are defined on.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace slim {

enum class LayerSelection { kAll, kConv, kLinear };

// "all" | "conv" | "linear"; the names a method's `layers` parameter offers.
const std::vector<std::string>& layer_selection_names();
LayerSelection parse_layer_selection(std::string_view name);

struct PrunableWeight {
  std::string name;  // "fc1.weight"
  std::string node;  // "fc1"
  std::string kind;  // "linear" | "conv2d"
  Parameter* parameter = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t numel() const { return rows * cols; }
};

// In model order. Throws UserError when the model has none (e.g. already quantized).
std::vector<PrunableWeight> prunable_weights(Model& model, LayerSelection selection);

// Gives the parameter an all-ones mask when it has none, so masks compose across steps.
void ensure_mask(Parameter& parameter);

// Weights still alive (mask 1) and in total, over the given entries.
int64_t kept_count(const PrunableWeight& weight);

}  // namespace slim
