#include "core/quant/quantize_layer.h"

#include <stdexcept>

namespace slim {

void QuantizeLayer::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  output = input;
  fake_quantize(output.values(), quant_);
}

void QuantizeLayer::unary_backward(const Tensor&, Tensor*) {
  throw std::logic_error("quantize is an inference layer: QAT uses fake-quant layers instead");
}

void DequantizeLayer::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  output = input;
}

void DequantizeLayer::unary_backward(const Tensor&, Tensor*) {
  throw std::logic_error("dequantize is an inference layer");
}

}  // namespace slim
