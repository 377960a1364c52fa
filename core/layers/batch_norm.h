// BatchNorm over the channel axis of [N, C] (1d) or [N, C, H, W] (2d) inputs.
//
// Training normalises with the batch statistics (biased variance) and updates the
// running estimates with the unbiased variance and `momentum`, exactly as PyTorch
// does; eval mode uses the running estimates. Parameters are gamma ("weight") and
// beta ("bias"); running_mean / running_var are buffers saved in checkpoints.
#pragma once

#include "core/layer.h"

namespace slim {

class BatchNorm final : public UnaryLayer {
 public:
  BatchNorm(int spatial_dims, int64_t num_features, float eps = 1e-5f, float momentum = 0.1f);

  std::string kind() const override { return spatial_dims_ == 1 ? "batchnorm1d" : "batchnorm2d"; }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<BatchNorm>(*this); }
  std::vector<Named<Parameter>> parameters() override;
  std::vector<Named<Tensor>> buffers() override;

  int64_t num_features() const { return num_features_; }
  float eps() const { return eps_; }
  Parameter& gamma() { return gamma_; }
  Parameter& beta() { return beta_; }
  Tensor& running_mean() { return running_mean_; }
  Tensor& running_var() { return running_var_; }
  const Parameter& gamma() const { return gamma_; }
  const Parameter& beta() const { return beta_; }
  const Tensor& running_mean() const { return running_mean_; }
  const Tensor& running_var() const { return running_var_; }
  // Structured pruning: keep only these channels (parameters and running statistics).
  void keep_channels(std::span<const int64_t> keep);
  // When frozen, training mode still normalises with the running statistics and never
  // updates them (used after a chosen epoch in QAT with BN folding).
  void set_frozen(bool frozen) { frozen_ = frozen; }
  bool frozen() const { return frozen_; }

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  void forward_batch_stats(const Tensor& input, Tensor& output);
  void forward_running_stats(const Tensor& input, Tensor& output);
  void normalize_with_running_stats(const Tensor& input);

  int spatial_dims_;
  int64_t num_features_;
  float eps_;
  float momentum_;
  bool frozen_ = false;
  Parameter gamma_;
  Parameter beta_;
  Tensor running_mean_;
  Tensor running_var_;
  // Backward state.
  const Tensor* input_ = nullptr;
  bool used_batch_stats_ = false;
  Tensor normalized_;  // x_hat of the last forward (rebuilt lazily after eval forwards)
  Tensor inv_std_;     // per channel
};

}  // namespace slim
