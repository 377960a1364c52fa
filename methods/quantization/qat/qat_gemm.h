// QatGemm ("qat_conv2d", "qat_linear"): a conv2d or linear layer trained under weight
// fake quantization, with the BatchNorm that alone reads it folded in, as the deployed
// graph will fold it (REFERENCE.md, "QAT"; PyTorch's conv_fused does the same):
//
//   f      = gamma / sqrt(running_var + eps)                       per output channel
//   z      = gemm(x, fq(W * f))              (the weight the integer layer will store)
//   y      = BN(z / f + b)                   (batch statistics while training, updating
//                                             the running ones; running statistics in
//                                             eval mode and once frozen)
//
// Once the statistics are frozen (or in eval mode), y = gemm(x, fq(W_f)) + b_f with
// W_f = W * f and b_f = (b - mean) * f + beta: exactly the folded layer that conversion
// quantizes. Before that, dividing by f undoes the folding's scale so that BN still
// sees the unfolded output and normalises it with the batch's statistics, which keeps
// training stable while the weight is rounded in its folded form.
//
// Without a BN it is gemm(x, fq(W)) + b. Backward differentiates all of it, f included
// (it reaches gamma twice: through W * f and through z / f), with the weight
// quantizer's STE or LSQ rule for fq (weight_fake_quant.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/layer.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "methods/quantization/qat/weight_fake_quant.h"

namespace slim {

class QatGemm final : public UnaryLayer {
 public:
  // `gemm` is a Conv2d or Linear; `batch_norm`, when given, is the BN node (named
  // `batch_norm_name` in the source graph) that alone reads it. Both are copied.
  QatGemm(const Layer& gemm, const BatchNorm* batch_norm, std::string batch_norm_name,
          WeightFakeQuant weight_quant);
  QatGemm(const QatGemm& other);
  QatGemm& operator=(const QatGemm&) = delete;

  std::string kind() const override { return "qat_" + engine_->kind(); }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<QatGemm>(*this); }
  // "weight", "bias" (if the source layer had one), "weight_scale" (LSQ), "bn.weight",
  // "bn.bias"; buffers "bn.running_mean", "bn.running_var".
  std::vector<Named<Parameter>> parameters() override;
  std::vector<Named<Tensor>> buffers() override;

  int64_t rows() const { return weight_.value.dim(0); }  // output channels
  int64_t cols() const { return weight_.value.numel() / rows(); }
  bool has_batch_norm() const { return batch_norm_.has_value(); }
  const std::string& batch_norm_name() const { return batch_norm_name_; }
  // From now on BN normalises with (and keeps) its running statistics, in training too.
  void freeze_batch_norm();
  WeightFakeQuant& weight_quant() { return weight_quant_; }
  const WeightFakeQuant& weight_quant() const { return weight_quant_; }

  // The FP32 layers trained here, as the source graph held them: the conv2d/linear with
  // the trained weight and bias, and its BatchNorm (has_batch_norm() only).
  std::unique_ptr<Layer> fp32_gemm() const;
  std::unique_ptr<BatchNorm> fp32_batch_norm() const;

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;
  int64_t unary_macs(const Shape& input) const override;

 private:
  Parameter& engine_weight();
  void fold_weight();
  void unfold_output();
  void add_bias(Tensor& output) const;
  void accumulate_bias_gradient(const Tensor& grad);
  void backward_through_batch_norm(const Tensor& grad_output);
  void accumulate_weight_gradients();

  // The GEMM itself (a bias-free Conv2d or Linear) run on the fake-quantized folded weight.
  std::unique_ptr<Layer> engine_;
  std::optional<Conv2dOptions> conv_options_;  // the source conv's options (bias included)
  Parameter weight_;                           // the trained, unfolded weight
  Parameter bias_;                             // empty when the source layer had none
  bool has_bias_ = false;
  std::optional<BatchNorm> batch_norm_;
  std::string batch_norm_name_;
  WeightFakeQuant weight_quant_;

  // Forward state kept for backward.
  std::vector<double> fold_factor_;   // f per output channel (1 without BN)
  std::vector<double> fold_inv_std_;  // 1 / sqrt(running_var + eps), df / dgamma
  Tensor folded_weight_;              // W * f
  Tensor gemm_output_;                // z (with BN only)
  Tensor bn_input_;                   // z / f + b
  // Backward scratch.
  Tensor grad_bn_input_;
  Tensor grad_gemm_;
  Tensor grad_folded_;
  std::vector<double> fold_factor_grad_;  // dL/df from z / f
};

}  // namespace slim
