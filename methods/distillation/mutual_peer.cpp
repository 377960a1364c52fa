#include "methods/distillation/mutual_peer.h"

#include <utility>

#include "core/train/loss.h"

namespace slim {

KdWeights mutual_weights(float temperature, float alpha) {
  return KdWeights{.temperature = temperature, .kd_weight = alpha, .ce_weight = 1.0f};
}

MutualPeer::MutualPeer(Model peer, const Recipe& recipe, int64_t steps_per_epoch,
                       const KdWeights& weights, uint64_t dropout_seed)
    : peer_(std::move(peer)),
      sgd_(SgdOptions{recipe.momentum, recipe.weight_decay, recipe.nesterov}),
      dropout_rng_(dropout_seed),
      schedule_(recipe.lr_schedule()),
      steps_per_epoch_(steps_per_epoch),
      total_steps_(steps_per_epoch * recipe.epochs),
      weights_(weights) {}

float MutualPeer::joint_step(const Tensor& student_logits, const Batch& batch,
                             Tensor& student_grad) {
  const ForwardContext train_mode{Mode::kTrain, &dropout_rng_};
  const Tensor& peer_logits = peer_.forward(batch.x, train_mode);
  // Both targets come from the logits before either network steps.
  peer_probs_ = teacher_probabilities(peer_logits, weights_.temperature);
  student_probs_ = teacher_probabilities(student_logits, weights_.temperature);
  const KdLossValue student_loss =
      kd_loss(student_logits, peer_probs_, batch.labels, weights_, &student_grad);
  const KdLossValue peer_loss =
      kd_loss(peer_logits, student_probs_, batch.labels, weights_, &peer_grad_);
  record(peer_loss.total, peer_logits, batch);
  peer_.zero_grad();
  peer_.backward(peer_grad_);
  // The student's train() uses the same schedule at the same step.
  sgd_.step(peer_, schedule_.at(step_, total_steps_, steps_per_epoch_));
  ++step_;
  return student_loss.total;
}

void MutualPeer::attach(TrainHooks& hooks) {
  hooks.loss = [this](const Tensor& logits, const Batch& batch, Tensor& grad_logits) {
    return joint_step(logits, batch, grad_logits);
  };
}

void MutualPeer::record(float loss, const Tensor& logits, const Batch& batch) {
  predictions_.resize(batch.labels.size());
  argmax_rows(logits, predictions_);
  for (size_t i = 0; i < predictions_.size(); ++i) correct_ += predictions_[i] == batch.labels[i];
  const auto b = static_cast<double>(batch.size());
  loss_sum_ += loss * b;
  seen_ += b;
  // Called before the step counter moves: this batch closes an epoch when the next
  // step starts a new one.
  if ((step_ + 1) % steps_per_epoch_ != 0) return;
  last_epoch_ = {loss_sum_ / seen_, correct_ / seen_};
  loss_sum_ = correct_ = seen_ = 0.0;
}

}  // namespace slim
