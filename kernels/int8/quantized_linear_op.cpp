#include "kernels/int8/quantized_linear_op.h"

#include <fmt/format.h>

#include <stdexcept>

#include "kernels/int8/grid_check.h"
#include "kernels/int8/quantize_op.h"
#include "kernels/ops/op.h"

namespace slim {

QuantizedLinearOp::QuantizedLinearOp(const QuantizedLinear& layer, const GemmS8Kernel& gemm)
    : scheme_(layer.scheme()),
      in_features_(layer.in_features()),
      out_features_(layer.out_features()),
      gemm_(layer.weight(), layer.bias(), layer.scheme(), gemm, /*linear=*/true) {}

void QuantizedLinearOp::check_input_shape(const Shape& shape) const {
  if (shape.size() != 2 || shape[1] != in_features_) {
    throw std::logic_error(fmt::format("qlinear op: expected input [N, {}], got {}", in_features_,
                                       shape_to_string(shape)));
  }
}

void QuantizedLinearOp::run(const Int8Tensor& input, Int8Tensor& output) {
  if (!scheme_.is_static()) throw std::logic_error("qlinear op: int8 input to a dynamic layer");
  check_input_shape(input.shape);
  check_codes_fit_grid(input.quant, scheme_.fixed->input, "qlinear");
  const int64_t batch = input.dim(0);
  output.resize({batch, out_features_});
  output.quant = scheme_.fixed->output;
  gemm_.run_static(input.data(), batch, 1, output.data());
}

void QuantizedLinearOp::run(const Tensor& input, Tensor& output) {
  if (scheme_.is_static()) throw std::logic_error("qlinear op: FP32 input to a static layer");
  check_input_shape(input.shape());
  const ActivationQuant grid =
      dynamic_input_quant(input.values(), scheme_.dynamic_range, scheme_.dynamic_rounding);
  dynamic_codes_.resize(static_cast<size_t>(input.numel()));
  quantize_values(input.values(), grid, dynamic_codes_);
  const int64_t batch = input.dim(0);
  ensure_shape(output, {batch, out_features_});
  gemm_.run_dynamic(dynamic_codes_.data(), batch, 1, grid, output.data());
}

}  // namespace slim
