#include "core/layers/conv2d.h"

#include <fmt/format.h>

#include <stdexcept>

#include "core/channel_slice.h"
#include "core/gemm.h"
#include "core/parallel_for.h"

namespace slim {

Conv2d::Conv2d(const Conv2dOptions& options) : options_(options) {
  weight_.value =
      Tensor({options.out_channels, options.in_channels, options.kernel_size, options.kernel_size});
  if (options.bias) bias_.value = Tensor({options.out_channels});
}

nlohmann::json Conv2d::config() const {
  return {{"in_channels", options_.in_channels}, {"out_channels", options_.out_channels},
          {"kernel_size", options_.kernel_size}, {"stride", options_.stride},
          {"padding", options_.padding},         {"bias", options_.bias}};
}

std::vector<Named<Parameter>> Conv2d::parameters() {
  std::vector<Named<Parameter>> out = {{"weight", &weight_}};
  if (options_.bias) out.emplace_back("bias", &bias_);
  return out;
}

ConvGeometry Conv2d::geometry(const Shape& input) const {
  return {input[0],
          input[1],
          input[2],
          input[3],
          options_.kernel_size,
          options_.kernel_size,
          options_.stride,
          options_.padding};
}

Shape Conv2d::unary_output_shape(const Shape& input) const {
  if (input.size() != 4 || input[1] != options_.in_channels) {
    throw std::logic_error(fmt::format("conv2d: expected input [N, {}, H, W], got {}",
                                       options_.in_channels, shape_to_string(input)));
  }
  const ConvGeometry g = geometry(input);
  if (g.out_height() <= 0 || g.out_width() <= 0) {
    throw std::logic_error(
        fmt::format("conv2d: input {} is smaller than the kernel", shape_to_string(input)));
  }
  return {input[0], options_.out_channels, g.out_height(), g.out_width()};
}

void Conv2d::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  output.resize(unary_output_shape(input.shape()));
  input_shape_ = input.shape();
  const ConvGeometry g = geometry(input.shape());
  const int64_t out_c = options_.out_channels;
  const int64_t pixels = g.out_height() * g.out_width();

  cols_.resize({g.col_rows(), g.col_cols()});
  im2col(g, input.data(), cols_.data());
  gemm_out_.resize({out_c, g.col_cols()});
  sgemm(Trans::kNo, Trans::kNo, out_c, g.col_cols(), g.col_rows(), 1.0f, weight_.value.data(),
        g.col_rows(), cols_.data(), g.col_cols(), 0.0f, gemm_out_.data(), g.col_cols());

  // [O, N, P] -> [N, O, P], adding the bias on the way.
  parallel_for(g.batch * out_c, [&](int64_t plane) {
    const int64_t n = plane / out_c, o = plane % out_c;
    const float b = options_.bias ? bias_.value[o] : 0.0f;
    const float* src = gemm_out_.data() + o * g.col_cols() + n * pixels;
    float* dst = output.data() + plane * pixels;
    for (int64_t p = 0; p < pixels; ++p) dst[p] = src[p] + b;
  });
}

void Conv2d::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  const ConvGeometry g = geometry(input_shape_);
  const int64_t out_c = options_.out_channels;
  const int64_t pixels = g.out_height() * g.out_width();

  // [N, O, P] -> [O, N, P] so the gradient lines up with the column matrix.
  gemm_out_.resize({out_c, g.col_cols()});
  parallel_for(out_c * g.batch, [&](int64_t row) {
    const int64_t o = row / g.batch, n = row % g.batch;
    std::copy_n(grad_output.data() + (n * out_c + o) * pixels, pixels,
                gemm_out_.data() + o * g.col_cols() + n * pixels);
  });

  if (weight_.grad.empty()) weight_.grad = Tensor(weight_.value.shape());
  sgemm(Trans::kNo, Trans::kYes, out_c, g.col_rows(), g.col_cols(), 1.0f, gemm_out_.data(),
        g.col_cols(), cols_.data(), g.col_cols(), 1.0f, weight_.grad.data(), g.col_rows());
  if (options_.bias) {
    if (bias_.grad.empty()) bias_.grad = Tensor(bias_.value.shape());
    bias_.grad.vector() += gemm_out_.matrix(out_c, g.col_cols()).rowwise().sum();
  }
  if (grad_input) {
    grad_cols_.resize({g.col_rows(), g.col_cols()});
    sgemm(Trans::kYes, Trans::kNo, g.col_rows(), g.col_cols(), out_c, 1.0f, weight_.value.data(),
          g.col_rows(), gemm_out_.data(), g.col_cols(), 0.0f, grad_cols_.data(), g.col_cols());
    grad_input->resize(input_shape_);
    grad_input->zero();
    col2im(g, grad_cols_.data(), grad_input->data());
  }
}

void Conv2d::keep_output_channels(std::span<const int64_t> keep) {
  keep_parameter(weight_, 0, keep);
  if (options_.bias) keep_parameter(bias_, 0, keep);
  options_.out_channels = static_cast<int64_t>(keep.size());
}

void Conv2d::keep_input_channels(std::span<const int64_t> keep) {
  keep_parameter(weight_, 1, keep);
  options_.in_channels = static_cast<int64_t>(keep.size());
}

int64_t Conv2d::unary_macs(const Shape& input) const {
  const ConvGeometry g = geometry(input);
  return g.col_cols() * g.col_rows() * options_.out_channels;
}

}  // namespace slim
