// Pooling over NCHW inputs: MaxPool2d, AvgPool2d and GlobalAvgPool.
//
// MaxPool pads with -infinity and routes the gradient to the first maximum of each
// window (PyTorch's tie rule). AvgPool pads with zeros and divides by the full window
// (PyTorch's count_include_pad=True). GlobalAvgPool maps [N, C, H, W] to [N, C].
#pragma once

#include <cstdint>
#include <vector>

#include "core/layer.h"

namespace slim {

struct PoolOptions {
  int64_t kernel_size = 2;
  int64_t stride = 2;
  int64_t padding = 0;
};

class MaxPool2d final : public UnaryLayer {
 public:
  explicit MaxPool2d(const PoolOptions& options) : options_(options) {}
  std::string kind() const override { return "maxpool2d"; }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<MaxPool2d>(*this); }
  const PoolOptions& options() const { return options_; }

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  PoolOptions options_;
  Shape input_shape_;
  std::vector<int32_t> argmax_;  // flat index within the input plane, per output element
};

class AvgPool2d final : public UnaryLayer {
 public:
  explicit AvgPool2d(const PoolOptions& options) : options_(options) {}
  std::string kind() const override { return "avgpool2d"; }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<AvgPool2d>(*this); }
  const PoolOptions& options() const { return options_; }

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  PoolOptions options_;
  Shape input_shape_;
};

class GlobalAvgPool final : public UnaryLayer {
 public:
  std::string kind() const override { return "global_avgpool"; }
  nlohmann::json config() const override { return nlohmann::json::object(); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<GlobalAvgPool>(*this); }

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  Shape input_shape_;
};

}  // namespace slim
