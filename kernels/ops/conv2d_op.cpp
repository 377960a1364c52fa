#include "kernels/ops/conv2d_op.h"

#include <fmt/format.h>

#include <stdexcept>

namespace slim {

Conv2dOp::Conv2dOp(const Conv2d& layer, GemmFunction gemm)
    : gemm_(gemm), options_(layer.options()), weight_(layer.weight().value) {
  const int64_t taps = options_.in_channels * options_.kernel_size * options_.kernel_size;
  weight_.reshape({options_.out_channels, taps});
  if (options_.bias) bias_ = layer.bias().value;
}

ConvGeometry Conv2dOp::geometry(const Tensor& input) const {
  if (input.rank() != 4 || input.dim(1) != options_.in_channels) {
    throw std::logic_error(fmt::format("conv2d op: expected input [N, {}, H, W], got {}",
                                       options_.in_channels, shape_to_string(input.shape())));
  }
  const ConvGeometry g{input.dim(0),    input.dim(1),         input.dim(2),
                       input.dim(3),    options_.kernel_size, options_.kernel_size,
                       options_.stride, options_.padding};
  if (g.out_height() <= 0 || g.out_width() <= 0) {
    throw std::logic_error(fmt::format("conv2d op: input {} is smaller than the kernel",
                                       shape_to_string(input.shape())));
  }
  return g;
}

void Conv2dOp::run(std::span<const Tensor* const> inputs, Tensor& output) {
  const Tensor& input = *inputs[0];
  const ConvGeometry g = geometry(input);
  ensure_shape(cols_, {g.col_rows(), g.col_cols()});
  im2col(g, input.data(), cols_.data());
  ensure_shape(product_, {options_.out_channels, g.col_cols()});
  gemm_(options_.out_channels, g.col_cols(), g.col_rows(), weight_.data(), cols_.data(),
        product_.data());
  ensure_shape(output, {g.batch, options_.out_channels, g.out_height(), g.out_width()});
  scatter_to_nchw(g, output);
}

// [O, N, P] -> [N, O, P], adding the bias on the way. Every element is written once and
// nothing is summed, so splitting the loop over threads cannot change the result.
void Conv2dOp::scatter_to_nchw(const ConvGeometry& g, Tensor& output) const {
  const int64_t out_c = options_.out_channels;
  const int64_t pixels = g.out_height() * g.out_width();
  const int64_t row = g.col_cols();
  const float* product = product_.data();
  const float* bias = bias_.empty() ? nullptr : bias_.data();
  float* out = output.data();
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t o = 0; o < out_c; ++o) {
      const float b = bias ? bias[o] : 0.0f;
      const float* src = product + o * row + n * pixels;
      float* dst = out + (n * out_c + o) * pixels;
      for (int64_t p = 0; p < pixels; ++p) dst[p] = src[p] + b;
    }
  }
}

}  // namespace slim
