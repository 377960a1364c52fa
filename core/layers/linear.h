// Linear: y = x W^T + b, with W stored [out_features, in_features] as in PyTorch.
#pragma once

#include "core/layer.h"

namespace slim {

class Linear final : public UnaryLayer {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);

  std::string kind() const override { return "linear"; }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<Linear>(*this); }
  std::vector<Named<Parameter>> parameters() override;

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  bool has_bias() const { return has_bias_; }
  Parameter& weight() { return weight_; }
  Parameter& bias() { return bias_; }
  const Parameter& weight() const { return weight_; }
  const Parameter& bias() const { return bias_; }

  // Structured pruning: keep only these output neurons / input features (in order).
  // Masks and gradients are sliced along with the weights.
  void keep_outputs(std::span<const int64_t> keep);
  void keep_inputs(std::span<const int64_t> keep);

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;
  int64_t unary_macs(const Shape& input) const override;

 private:
  int64_t in_features_;
  int64_t out_features_;
  bool has_bias_;
  Parameter weight_;
  Parameter bias_;
  const Tensor* input_ = nullptr;
};

}  // namespace slim
