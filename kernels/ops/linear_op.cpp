#include "kernels/ops/linear_op.h"

#include <fmt/format.h>

#include <stdexcept>

namespace slim {

LinearOp::LinearOp(const Linear& layer, GemmFunction gemm)
    : gemm_(gemm),
      in_features_(layer.in_features()),
      out_features_(layer.out_features()),
      weight_t_({layer.in_features(), layer.out_features()}) {
  weight_t_.matrix(in_features_, out_features_) =
      layer.weight().value.matrix(out_features_, in_features_).transpose();
  if (layer.has_bias()) bias_ = layer.bias().value;
}

void LinearOp::run(std::span<const Tensor* const> inputs, Tensor& output) {
  const Tensor& input = *inputs[0];
  if (input.rank() != 2 || input.dim(1) != in_features_) {
    throw std::logic_error(fmt::format("linear op: expected input [N, {}], got {}", in_features_,
                                       shape_to_string(input.shape())));
  }
  const int64_t batch = input.dim(0);
  ensure_shape(output, {batch, out_features_});
  gemm_(batch, out_features_, in_features_, input.data(), weight_t_.data(), output.data());
  add_bias(output);
}

void LinearOp::add_bias(Tensor& output) const {
  if (bias_.empty()) return;
  const int64_t batch = output.dim(0);
  for (int64_t row = 0; row < batch; ++row) {
    float* out_row = output.data() + row * out_features_;
    for (int64_t j = 0; j < out_features_; ++j) out_row[j] += bias_[j];
  }
}

}  // namespace slim
