// Conv2d: NCHW convolution with square kernels, stride and zero padding, computed as
// im2col + one GEMM over the whole batch. Weights are [out, in, k, k] as in PyTorch.
#pragma once

#include "core/layer.h"
#include "core/layers/im2col.h"

namespace slim {

struct Conv2dOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t kernel_size = 1;
  int64_t stride = 1;
  int64_t padding = 0;
  bool bias = true;
};

class Conv2d final : public UnaryLayer {
 public:
  explicit Conv2d(const Conv2dOptions& options);

  std::string kind() const override { return "conv2d"; }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<Conv2d>(*this); }
  std::vector<Named<Parameter>> parameters() override;

  const Conv2dOptions& options() const { return options_; }
  Parameter& weight() { return weight_; }
  Parameter& bias() { return bias_; }
  const Parameter& weight() const { return weight_; }
  const Parameter& bias() const { return bias_; }

  // Structured pruning: keep only these filters (output channels) / input channels.
  void keep_output_channels(std::span<const int64_t> keep);
  void keep_input_channels(std::span<const int64_t> keep);

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;
  int64_t unary_macs(const Shape& input) const override;

 private:
  ConvGeometry geometry(const Shape& input) const;

  Conv2dOptions options_;
  Parameter weight_;
  Parameter bias_;
  Shape input_shape_;
  Tensor cols_;       // im2col of the last training input, reused by backward
  Tensor gemm_out_;   // [O, N*OH*OW] scratch
  Tensor grad_cols_;  // scratch for backward
};

}  // namespace slim
