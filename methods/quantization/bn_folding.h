// BatchNorm folding (REFERENCE.md, "BN folding"): a BatchNorm that reads a conv2d or
// linear layer, and is that layer's only consumer, is merged into the layer's weights,
//   W_f = W * gamma / sqrt(var + eps)   per output channel
//   b_f = (b - mean) * gamma / sqrt(var + eps) + beta
// using the running statistics (inference semantics). The folded model computes the
// same function in eval mode up to float rounding, has fewer nodes and no BN buffers.
// Quantization folds before it calibrates, so the integer path never sees a BN.
#pragma once

#include <string>
#include <vector>

#include "core/model.h"

namespace slim {

struct FoldedBatchNorm {
  std::string layer;       // the conv2d/linear that absorbed it
  std::string batch_norm;  // the removed BN node
};

// Returns the folded model; `folded`, when given, lists what was merged.
Model fold_batch_norms(const Model& model, std::vector<FoldedBatchNorm>* folded = nullptr);

}  // namespace slim
