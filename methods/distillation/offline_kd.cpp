#include "methods/distillation/offline_kd.h"

#include <span>

namespace slim {
namespace {

// A node's activation shape for a batch of one.
Shape node_shape(const Model& model, int node) {
  return model.output_shapes(1).at(static_cast<size_t>(node));
}

}  // namespace

OfflineDistiller::OfflineDistiller(const TeacherLogits& cache, const KdWeights& weights,
                                   int64_t steps_per_epoch)
    : cache_(&cache), weights_(weights), steps_per_epoch_(steps_per_epoch) {}

OfflineDistiller::OfflineDistiller(Model& teacher, Model& student, const HintConfig& hint,
                                   const KdWeights& weights, const Recipe& recipe,
                                   int64_t steps_per_epoch, Rng& init_rng)
    : teacher_(&teacher),
      student_(&student),
      weights_(weights),
      steps_per_epoch_(steps_per_epoch),
      hint_(hint),
      student_node_(student.node_index(hint.student_node)),
      teacher_node_(teacher.node_index(hint.teacher_node)),
      schedule_(recipe.lr_schedule()),
      total_steps_(steps_per_epoch * recipe.epochs) {
  regressor_ = std::make_unique<HintRegressor>(
      node_shape(student, student_node_), node_shape(teacher, teacher_node_), hint.student_node,
      hint.teacher_node, SgdOptions{recipe.momentum, recipe.weight_decay, recipe.nesterov},
      init_rng);
}

void OfflineDistiller::attach(TrainHooks& hooks) {
  hooks.loss = [this](const Tensor& logits, const Batch& batch, Tensor& grad_logits) {
    return loss(logits, batch, grad_logits);
  };
  if (!hint_) return;
  hooks.extra_output_grads = [this] {
    return std::span<const std::pair<int, const Tensor*>>(&extra_grad_, 1);
  };
  // The regressor's gradients are ready since loss(); it steps at the student's rate.
  hooks.after_step = [this](int64_t step) {
    regressor_->step(schedule_.at(step, total_steps_, steps_per_epoch_));
  };
}

float OfflineDistiller::loss(const Tensor& logits, const Batch& batch, Tensor& grad_logits) {
  if (hint_) {
    const ForwardContext eval{Mode::kEval, nullptr};
    teacher_logits_ = teacher_->forward(batch.x, eval);
  } else {
    cache_->gather(batch.indices, teacher_logits_);
  }
  teacher_probs_ = teacher_probabilities(teacher_logits_, weights_.temperature);
  const KdLossValue value = kd_loss(logits, teacher_probs_, batch.labels, weights_, &grad_logits);
  float hint_loss = 0.0f;
  if (hint_) {
    hint_loss = regressor_->loss(student_->activation(student_node_),
                                 teacher_->activation(teacher_node_), hint_->weight, hint_grad_);
    extra_grad_ = {student_node_, &hint_grad_};
  }
  record(value, hint_loss, batch.size());
  return value.total + hint_loss;
}

void OfflineDistiller::record(const KdLossValue& value, float hint_loss, int64_t batch_size) {
  const auto b = static_cast<double>(batch_size);
  seen_ += b;
  kl_sum_ += value.kl * b;
  ce_sum_ += value.ce * b;
  hint_sum_ += hint_loss * b;
  if (++steps_ % steps_per_epoch_ != 0) return;
  last_epoch_ = {{"final_kl", kl_sum_ / seen_}, {"final_ce", ce_sum_ / seen_}};
  if (hint_) last_epoch_["final_hint_loss"] = hint_sum_ / seen_;
  seen_ = kl_sum_ = ce_sum_ = hint_sum_ = 0.0;
}

nlohmann::json OfflineDistiller::report() const {
  nlohmann::json report = last_epoch_;
  report["teacher_logits"] = hint_ ? "every batch (hint needs activations)" : "cached, one pass";
  if (hint_) {
    report["hint"] = {{"student", hint_->student_node},
                      {"teacher", hint_->teacher_node},
                      {"weight", hint_->weight},
                      {"regressor", regressor_->describe()},
                      {"loss", "weight / 2 * mean over elements of (r(f_s) - f_t)^2"}};
  }
  return report;
}

}  // namespace slim
