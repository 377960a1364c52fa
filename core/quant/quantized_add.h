// QuantizedAdd ("qadd"): the residual add of two int8 tensors on different grids.
//
// Integer path: both inputs are rescaled to the output grid, summed and clamped
// (kernels/int8); y = Z_y + round(S_a/S_y (q_a - Z_a) + S_b/S_y (q_b - Z_b)). The FP32
// simulation adds the two inputs' reals and fake-quantizes the sum onto `output`, whose
// clamp includes a fused ReLU when there is one.
#pragma once

#include "core/layer.h"
#include "core/quant/activation_quant.h"

namespace slim {

class QuantizedAdd final : public Layer {
 public:
  QuantizedAdd(ActivationQuant lhs, ActivationQuant rhs, ActivationQuant output, bool fused_relu);
  std::string kind() const override { return "qadd"; }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<QuantizedAdd>(*this); }
  int arity() const override { return 2; }
  Shape output_shape(std::span<const Shape> input_shapes) const override;
  void forward(std::span<const Tensor* const> inputs, Tensor& output,
               const ForwardContext& context) override;
  void backward(const Tensor& grad_output, std::span<Tensor* const> input_grads) override;

  const ActivationQuant& lhs() const { return lhs_; }
  const ActivationQuant& rhs() const { return rhs_; }
  const ActivationQuant& output() const { return output_; }
  bool fused_relu() const { return fused_relu_; }

 private:
  ActivationQuant lhs_;
  ActivationQuant rhs_;
  ActivationQuant output_;
  bool fused_relu_;
};

}  // namespace slim
