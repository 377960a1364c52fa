#include "core/layers/flatten.h"

#include <algorithm>

namespace slim {

Shape Flatten::unary_output_shape(const Shape& input) const {
  const int64_t batch = input.empty() ? 1 : input[0];
  return {batch, batch == 0 ? 0 : shape_numel(input) / batch};
}

void Flatten::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  input_shape_ = input.shape();
  output.resize(unary_output_shape(input.shape()));
  std::copy_n(input.data(), input.numel(), output.data());
}

void Flatten::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  if (!grad_input) return;
  grad_input->resize(input_shape_);
  std::copy_n(grad_output.data(), grad_output.numel(), grad_input->data());
}

}  // namespace slim
