#include "core/layers/add.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace slim {

Shape Add::output_shape(std::span<const Shape> input_shapes) const {
  if (input_shapes.size() != 2 || input_shapes[0] != input_shapes[1]) {
    throw std::logic_error("add: needs two inputs of the same shape");
  }
  return input_shapes[0];
}

void Add::forward(std::span<const Tensor* const> inputs, Tensor& output, const ForwardContext&) {
  const Shape shapes[2] = {inputs[0]->shape(), inputs[1]->shape()};
  output.resize(output_shape(shapes));
  output.vector() = inputs[0]->vector() + inputs[1]->vector();
}

void Add::backward(const Tensor& grad_output, std::span<Tensor* const> input_grads) {
  for (Tensor* grad : input_grads) {
    if (!grad) continue;
    grad->resize(grad_output.shape());
    std::copy_n(grad_output.data(), grad_output.numel(), grad->data());
  }
}

}  // namespace slim
