// Dropout (inverted): in training each element is zeroed with probability p and the
// survivors scaled by 1/(1-p); in eval it is the identity. The mask comes from the
// forward context's seeded Rng, so training with dropout stays reproducible.
#pragma once

#include "core/layer.h"

namespace slim {

class Dropout final : public UnaryLayer {
 public:
  explicit Dropout(float p);
  std::string kind() const override { return "dropout"; }
  nlohmann::json config() const override { return {{"p", p_}}; }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<Dropout>(*this); }
  float p() const { return p_; }

 protected:
  Shape unary_output_shape(const Shape& input) const override { return input; }
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  float p_;
  bool active_ = false;
  Tensor scale_;  // 0 or 1/(1-p) per element of the last training forward
};

}  // namespace slim
