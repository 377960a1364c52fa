// FakeQuantize ("fake_quantize"): the training-time stand-in for an int8 activation.
//
// Forward rounds its input onto a grid and back, exactly as the static graph's FP32
// simulation does (core/quant/activation_quant.h), so a QAT model sees during training
// the values the quantized model will compute. Rounding has no useful derivative, so
// backward uses an estimator (REFERENCE.md, "QAT"):
//  * ste: the straight-through estimator. The gradient passes unchanged where the input,
//    once rounded, lands inside [qmin, qmax], and is 0 where the grid clamps it. The grid
//    stays the calibrated one.
//  * lsq: the same input gradient, and the scale is a trained parameter ("scale") with
//    LSQ's gradient (lsq.h); the zero point stays fixed.
// QAT places one after every tensor the static rewrite reads a grid for (qat_graph.h).
//
// A follower repeats another fake-quant's grid instead of owning one: the static graph
// rounds a global average pool's mean back onto its input's grid, so QAT puts a follower
// of that input's fake-quant after the pool; update_learned_grids() (qat_graph.h) copies the
// leader's (possibly learned) grid into it after every optimizer step.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/layer.h"
#include "core/quant/activation_quant.h"

namespace slim {

enum class QatEstimator { kSte, kLsq };

std::string_view estimator_name(QatEstimator estimator);
// "ste" or "lsq"; throws a UserError listing both otherwise.
QatEstimator parse_estimator(std::string_view name);

struct FakeQuantized {
  float value = 0.0f;   // (clamp(round(x / S) + Z) - Z) * S
  bool inside = false;  // round(x / S) + Z within [qmin, qmax]: the STE passes the gradient
};

// One element, with the arithmetic of quantize_activation(), so values are bit-identical
// to the static graph's simulation.
FakeQuantized fake_quantize_element(float x, const ActivationQuant& grid);

class FakeQuantize final : public UnaryLayer {
 public:
  FakeQuantize(ActivationQuant grid, QatEstimator estimator);

  std::string kind() const override { return "fake_quantize"; }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<FakeQuantize>(*this); }
  std::vector<Named<Parameter>> parameters() override;

  QatEstimator estimator() const { return estimator_; }
  // The grid forward uses now: the calibrated one, with the learned scale under LSQ.
  ActivationQuant grid() const;
  // Projects a learned scale back above lsq_min_scale() after an optimizer step.
  void keep_scale_positive();

  // Makes this a follower of the fake-quant node `leader`, whose grid it takes with the
  // ReLU clamp (ActivationQuant::with_relu) when `through_relu`. Followers use the STE.
  void follow(std::string leader, bool through_relu);
  const std::string& leader() const { return leader_; }  // empty unless a follower
  void take_leader_grid(const ActivationQuant& leader_grid);

 protected:
  Shape unary_output_shape(const Shape& input) const override { return input; }
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;

 private:
  void accumulate_scale_gradient(const Tensor& grad_output, const ActivationQuant& grid);

  ActivationQuant grid_;
  QatEstimator estimator_;
  Parameter scale_;  // [1], trained under LSQ only
  std::string leader_;
  bool through_relu_ = false;
  const Tensor* input_ = nullptr;
  std::vector<uint8_t> inside_;  // per element of the last forward
};

}  // namespace slim
