// LayerForwardOp: runs a private clone of a layer's own forward() in eval mode.
//
// Used for the cheap layers (ReLU, BatchNorm, pooling, flatten, add, dropout) whose
// forwards are already plain loops, so every FP32 backend shares them. The clone keeps
// the plan independent of the Model, and gives the layer its own scratch state.
#pragma once

#include <memory>

#include "core/layer.h"
#include "kernels/ops/op.h"

namespace slim {

class LayerForwardOp final : public Op {
 public:
  explicit LayerForwardOp(const Layer& layer) : layer_(layer.clone()) {}
  void run(std::span<const Tensor* const> inputs, Tensor& output) override;

 private:
  std::unique_ptr<Layer> layer_;
};

}  // namespace slim
