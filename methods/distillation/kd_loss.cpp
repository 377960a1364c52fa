#include "methods/distillation/kd_loss.h"

#include <cmath>
#include <stdexcept>

#include "core/train/loss.h"

namespace slim {

KdWeights hinton_weights(float temperature, float alpha) {
  return KdWeights{.temperature = temperature, .kd_weight = alpha, .ce_weight = 1.0f - alpha};
}

Tensor teacher_probabilities(const Tensor& teacher_logits, float temperature) {
  return softmax(teacher_logits, temperature);
}

double mean_entropy(const Tensor& probs) {
  if (probs.rank() != 2 || probs.dim(0) == 0) {
    throw std::logic_error("mean_entropy: probabilities must be [batch, classes]");
  }
  double total = 0.0;
  for (const float p : probs.values()) {
    if (p > 0.0f) total -= static_cast<double>(p) * std::log(static_cast<double>(p));
  }
  return total / static_cast<double>(probs.dim(0));
}

KdLossValue kd_loss(const Tensor& student_logits, const Tensor& teacher_probs,
                    std::span<const int32_t> labels, const KdWeights& weights,
                    Tensor* grad_logits) {
  const float t = weights.temperature;
  Tensor soft_grad, hard_grad;
  Tensor* want_soft = grad_logits ? &soft_grad : nullptr;
  Tensor* want_hard = grad_logits ? &hard_grad : nullptr;
  // Soft cross-entropy = KL + H(teacher); its gradient is the KL's.
  const float soft_ce = soft_cross_entropy(student_logits, teacher_probs, t, want_soft);
  KdLossValue value;
  value.kl = static_cast<float>(static_cast<double>(soft_ce) - mean_entropy(teacher_probs));
  value.ce = cross_entropy(student_logits, labels, want_hard);
  // Hinton et al.'s T²: the soft gradient scales as 1/T², this restores it.
  const float kd_scale = weights.kd_weight * t * t;
  value.total = kd_scale * value.kl + weights.ce_weight * value.ce;
  if (grad_logits) {
    grad_logits->resize(student_logits.shape());
    grad_logits->vector() = kd_scale * soft_grad.vector() + weights.ce_weight * hard_grad.vector();
  }
  return value;
}

}  // namespace slim
