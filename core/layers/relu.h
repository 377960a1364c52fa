// ReLU: y = max(x, 0). The gradient at exactly 0 is taken as 0, as in PyTorch.
#pragma once

#include "core/layer.h"

namespace slim {

class ReLU final : public UnaryLayer {
 public:
  std::string kind() const override { return "relu"; }
  nlohmann::json config() const override { return nlohmann::json::object(); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<ReLU>(*this); }

 protected:
  Shape unary_output_shape(const Shape& input) const override { return input; }
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  const Tensor* output_ = nullptr;  // the mask is output > 0
};

}  // namespace slim
