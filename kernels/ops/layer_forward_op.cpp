#include "kernels/ops/layer_forward_op.h"

namespace slim {

void LayerForwardOp::run(std::span<const Tensor* const> inputs, Tensor& output) {
  // Eval mode needs no Rng: dropout is the identity and BatchNorm uses running stats.
  layer_->forward(inputs, output, ForwardContext{Mode::kEval, nullptr});
}

}  // namespace slim
