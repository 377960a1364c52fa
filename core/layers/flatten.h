// Flatten: [N, d1, d2, ...] -> [N, d1*d2*...], in C order (PyTorch's flatten(1)).
#pragma once

#include "core/layer.h"

namespace slim {

class Flatten final : public UnaryLayer {
 public:
  std::string kind() const override { return "flatten"; }
  nlohmann::json config() const override { return nlohmann::json::object(); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<Flatten>(*this); }

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  Shape input_shape_;
};

}  // namespace slim
