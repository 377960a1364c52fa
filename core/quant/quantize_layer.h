// The boundaries of an integer region of the graph.
//
// QuantizeLayer ("quantize") maps FP32 onto an int8 grid. In the FP32 simulation it
// fake-quantizes; the integer path produces int8 codes. When its input is already int8
// (an integer op's output on another grid) the integer path requantizes, and when the
// grids are equal it copies: static PTQ places one after a global average pool, whose
// integer mean stays on its input's grid, so the simulation rounds where the integer
// path rounds.
//
// DequantizeLayer ("dequantize") leaves the integer region: the integer path maps codes
// to FP32 with (q - Z) * S; in the simulation the values already are those reals, so it
// copies.
#pragma once

#include "core/layer.h"
#include "core/quant/activation_quant.h"

namespace slim {

class QuantizeLayer final : public UnaryLayer {
 public:
  explicit QuantizeLayer(ActivationQuant quant) : quant_(quant) {}
  std::string kind() const override { return "quantize"; }
  nlohmann::json config() const override { return to_json(quant_); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<QuantizeLayer>(*this); }
  const ActivationQuant& quant() const { return quant_; }

 protected:
  Shape unary_output_shape(const Shape& input) const override { return input; }
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  ActivationQuant quant_;
};

class DequantizeLayer final : public UnaryLayer {
 public:
  explicit DequantizeLayer(ActivationQuant quant) : quant_(quant) {}
  std::string kind() const override { return "dequantize"; }
  nlohmann::json config() const override { return to_json(quant_); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<DequantizeLayer>(*this); }
  // The grid of its input (its producer's output grid).
  const ActivationQuant& quant() const { return quant_; }

 protected:
  Shape unary_output_shape(const Shape& input) const override { return input; }
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  ActivationQuant quant_;
};

}  // namespace slim
