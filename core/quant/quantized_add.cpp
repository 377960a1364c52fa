#include "core/quant/quantized_add.h"

#include <stdexcept>

namespace slim {

QuantizedAdd::QuantizedAdd(ActivationQuant lhs, ActivationQuant rhs, ActivationQuant output,
                           bool fused_relu)
    : lhs_(lhs), rhs_(rhs), output_(output), fused_relu_(fused_relu) {}

nlohmann::json QuantizedAdd::config() const {
  return {{"lhs", to_json(lhs_)},
          {"rhs", to_json(rhs_)},
          {"output", to_json(output_)},
          {"fused_relu", fused_relu_}};
}

Shape QuantizedAdd::output_shape(std::span<const Shape> input_shapes) const {
  if (input_shapes.size() != 2 || input_shapes[0] != input_shapes[1]) {
    throw std::logic_error("qadd: needs two inputs of the same shape");
  }
  return input_shapes[0];
}

void QuantizedAdd::forward(std::span<const Tensor* const> inputs, Tensor& output,
                           const ForwardContext&) {
  const Shape shapes[2] = {inputs[0]->shape(), inputs[1]->shape()};
  output.resize(output_shape(shapes));
  output.vector() = inputs[0]->vector() + inputs[1]->vector();
  fake_quantize(output.values(), output_);
}

void QuantizedAdd::backward(const Tensor&, std::span<Tensor* const>) {
  throw std::logic_error("qadd is an inference layer");
}

}  // namespace slim
