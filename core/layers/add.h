// Add: the residual join, y = a + b for two inputs of the same shape.
#pragma once

#include "core/layer.h"

namespace slim {

class Add final : public Layer {
 public:
  std::string kind() const override { return "add"; }
  nlohmann::json config() const override { return nlohmann::json::object(); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<Add>(*this); }
  int arity() const override { return 2; }
  Shape output_shape(std::span<const Shape> input_shapes) const override;
  void forward(std::span<const Tensor* const> inputs, Tensor& output,
               const ForwardContext& context) override;
  void backward(const Tensor& grad_output, std::span<Tensor* const> input_grads) override;
};

}  // namespace slim
