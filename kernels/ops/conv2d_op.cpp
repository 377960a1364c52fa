#include "kernels/ops/conv2d_op.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "core/gemm.h"
#include "core/parallel_for.h"
#include "kernels/ops/pooled_conv_output.h"

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

// Images per pass: about kPassBytes of im2col columns per thread, so that the columns
// stay in L2 between im2col, which writes them, and the GEMM, which reads them (at batch
// 256, lenet-5's conv2 would otherwise write 32 MB of columns and read them back). Short-K
// convolutions are also capped at about kPassColumns columns per thread: OpenBLAS 0.3.21's
// SGEMM with 20 rows and K = 25 (lenet-5 conv1) ran at ~105 GFLOP/s up to ~1700 columns
// and 40-75 beyond, and lenet-5 conv1, resnet-8's stem and its shortcuts at batch 256 ran
// 5-30% faster with the cap (Zen 4, alternated); the 3x3 convolutions hit the byte limit
// first and are unchanged.
int64_t Conv2dOp::images_per_pass(const ConvGeometry& g) {
  constexpr int64_t kPassBytes = int64_t{512} * 1024;
  constexpr int64_t kPassColumns = 1024;
  const int64_t pixels = g.out_height() * g.out_width();
  const int64_t image_bytes = g.col_rows() * pixels * static_cast<int64_t>(sizeof(float));
  const int64_t by_bytes = kPassBytes * num_threads() / image_bytes;
  const int64_t by_columns = kPassColumns * num_threads() / pixels;
  return std::clamp<int64_t>(std::min(by_bytes, by_columns), 1, g.batch);
}

void Conv2dOp::run(std::span<const Tensor* const> inputs, Tensor& output) {
  const Tensor& input = *inputs[0];
  const ConvGeometry g = geometry(input);
  const int64_t out_h = g.out_height(), out_w = g.out_width();
  const int64_t pixels = out_h * out_w;
  const int64_t step = images_per_pass(g);
  // Sized for a full pass; a shorter last pass uses the front of each.
  ensure_shape(cols_, {g.col_rows(), step * pixels});
  ensure_shape(product_, {options_.out_channels, step * pixels});
  if (fused_pool_) {
    ensure_shape(output, {g.batch, options_.out_channels, out_h / 2, out_w / 2});
  } else {
    ensure_shape(output, {g.batch, options_.out_channels, out_h, out_w});
  }
  const int64_t image_in = g.channels * g.height * g.width;
  const int64_t image_out =
      options_.out_channels * (fused_pool_ ? (out_h / 2) * (out_w / 2) : pixels);
  for (int64_t first = 0; first < g.batch; first += step) {
    ConvGeometry part = g;
    part.batch = std::min(step, g.batch - first);
    im2col(part, input.data() + first * image_in, cols_.data());
    gemm_(options_.out_channels, part.col_cols(), part.col_rows(), weight_.data(), cols_.data(),
          product_.data());
    if (fused_pool_) {
      pool_to_nchw(part, output.data() + first * image_out);
    } else {
      scatter_to_nchw(part, output.data() + first * image_out);
    }
  }
}

// [O, N, P] -> [N, O, P / 4]: each plane of the product, biased, through the fused ReLU
// and pooled 2x2 in one pass (pooled_conv_output.h), without writing it unpooled first.
void Conv2dOp::pool_to_nchw(const ConvGeometry& g, float* out) const {
  const int64_t out_c = options_.out_channels;
  const int64_t height = g.out_height(), width = g.out_width();
  const int64_t pooled = (height / 2) * (width / 2);
  const int64_t row = g.col_cols();
  const float* product = product_.data();
  const float* bias = bias_.empty() ? nullptr : bias_.data();
  parallel_for(g.batch * out_c, [&](int64_t plane) {
    const int64_t n = plane / out_c, o = plane % out_c;
    bias_relu_max_pool_2x2({product + o * row + n * height * width, height, width,
                            bias ? bias[o] : 0.0f, fused_relu_, out + plane * pooled});
  });
}

// [O, N, P] -> [N, O, P], adding the bias on the way. Every element is written once and
// nothing is summed, so splitting the loop over threads cannot change the result.
void Conv2dOp::scatter_to_nchw(const ConvGeometry& g, float* out) const {
  const int64_t out_c = options_.out_channels;
  const int64_t pixels = g.out_height() * g.out_width();
  const int64_t row = g.col_cols();
  const float* product = product_.data();
  const float* bias = bias_.empty() ? nullptr : bias_.data();
  parallel_for(g.batch * out_c, [&](int64_t plane) {
    const int64_t n = plane / out_c, o = plane % out_c;
    const float b = bias ? bias[o] : 0.0f;
    const float* src = product + o * row + n * pixels;
    float* dst = out + plane * pixels;
    if (fused_relu_) {
      // ReLU's expression (core/layers/relu.cpp), which keeps NaN.
      for (int64_t p = 0; p < pixels; ++p) {
        const float v = src[p] + b;
        dst[p] = v < 0.0f ? 0.0f : v;
      }
    } else {
      for (int64_t p = 0; p < pixels; ++p) dst[p] = src[p] + b;
    }
  });
}

}  // namespace slim
