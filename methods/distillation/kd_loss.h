// The response-distillation loss of Hinton et al. 2015 and its gradient w.r.t. the
// student's logits z_s, averaged over the batch:
//
//   L = w_kd · T² · KL(softmax(z_t/T) ‖ softmax(z_s/T)) + w_ce · CE(z_s, y)
//
// Hinton's loss is w_kd = α, w_ce = 1 − α (hinton_weights). Deep mutual learning uses
// w_ce = 1 beside its KL term (mutual_learning.h). The KL is the soft cross-entropy of
// core/train/loss.h minus the teacher's entropy: the entropy does not depend on z_s, so
// the gradient is the soft cross-entropy's, (softmax(z_s/T) − p_t) / (T·B), but the
// value reported is a true KL (0 when the student matches the teacher).
//
// Why T²: the soft gradient above shrinks as 1/T (and, for large T, as 1/T² once the
// softmax flattens: (z_s − z_t)/(K·T²·B) for zero-mean logits and K classes). Scaling the
// KL term by T² keeps its share of the gradient roughly the same whatever T is, so α
// means the same thing at T = 2 and at T = 20.
#pragma once

#include <cstdint>
#include <span>

#include "core/tensor.h"

namespace slim {

struct KdWeights {
  float temperature = 4.0f;
  float kd_weight = 0.9f;  // multiplies T² · KL
  float ce_weight = 0.1f;  // multiplies the hard-label cross-entropy
};

// Hinton et al.: α on the distillation term, 1 − α on the labels.
KdWeights hinton_weights(float temperature, float alpha);

struct KdLossValue {
  float total = 0.0f;  // w_kd · T² · kl + w_ce · ce
  float kl = 0.0f;     // KL(teacher ‖ student) at temperature T, batch mean, unscaled
  float ce = 0.0f;     // cross-entropy with the labels at T = 1, batch mean
};

// `teacher_probs` holds softmax(z_t / T) per row (teacher_probabilities below).
// Writes dL/dz_s into `grad_logits` when it is not null.
KdLossValue kd_loss(const Tensor& student_logits, const Tensor& teacher_probs,
                    std::span<const int32_t> labels, const KdWeights& weights, Tensor* grad_logits);

// softmax(z_t / T), the soft targets; the teacher's logits are constants (no gradient).
Tensor teacher_probabilities(const Tensor& teacher_logits, float temperature);

// Batch mean of −Σ_k p_k log p_k (0 log 0 = 0), in double.
double mean_entropy(const Tensor& probs);

}  // namespace slim
