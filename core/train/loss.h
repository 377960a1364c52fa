// Softmax cross-entropy losses, averaged over the batch.
//
// cross_entropy takes hard labels. soft_cross_entropy takes a target distribution per
// sample (for distillation: the teacher's softmax at temperature T) and applies the same
// temperature to the student's logits: L = -mean_b sum_k t_bk log softmax(z_b / T)_k.
// Its gradient is (softmax(z/T) - t) / (T * B). The T^2 factor of Hinton et al. belongs
// to the distillation method, not to this loss.
#pragma once

#include <cstdint>
#include <span>

#include "core/tensor.h"

namespace slim {

float cross_entropy(const Tensor& logits, std::span<const int32_t> labels, Tensor* grad_logits);
float soft_cross_entropy(const Tensor& logits, const Tensor& target_probs, float temperature,
                         Tensor* grad_logits);
Tensor softmax(const Tensor& logits, float temperature = 1.0f);
// Index of the largest logit of each row (the first one on ties).
void argmax_rows(const Tensor& logits, std::span<int32_t> out);

}  // namespace slim
