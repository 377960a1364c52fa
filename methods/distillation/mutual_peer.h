// The peer of deep mutual learning (Zhang et al. 2018), trained in step with the student.
//
// On every student batch the peer runs forward in training mode (its own dropout stream),
// and each network takes the loss
//
//   CE(z_self, y) + α · T² · KL(softmax(z_other/T) ‖ softmax(z_self/T))
//
// against the other's current predictions, treated as constants. The peer is driven from
// inside the student's TrainHooks::loss: it steps there with its own SGD, at the
// student's learning rate for that step (the peer counts the steps), so both networks
// see the same batches and schedule without a second training loop. Both losses use
// the logits of the same forward passes (a simultaneous update); the paper updates the
// networks one after the other, recomputing the first network's predictions in between.
#pragma once

#include <cstdint>
#include <vector>

#include "core/model.h"
#include "core/rng.h"
#include "core/train/lr_schedule.h"
#include "core/train/optimizer.h"
#include "core/train/recipe.h"
#include "core/train/trainer.h"
#include "methods/distillation/kd_loss.h"

namespace slim {

struct EpochStats {
  double loss = 0.0;
  double accuracy = 0.0;
};

class MutualPeer {
 public:
  // `recipe` is the student's (schedule, SGD settings, epochs); `weights` uses
  // kd_weight = α and ce_weight = 1 (mutual_weights). `dropout_seed` seeds the peer's
  // dropout masks.
  MutualPeer(Model peer, const Recipe& recipe, int64_t steps_per_epoch, const KdWeights& weights,
             uint64_t dropout_seed);

  // The student's loss and gradient on `batch` against the peer, then one peer step
  // against the student's logits.
  float joint_step(const Tensor& student_logits, const Batch& batch, Tensor& student_grad);
  // Installs hooks.loss = joint_step. The peer must outlive the training.
  void attach(TrainHooks& hooks);

  Model& model() { return peer_; }
  // The peer's mean training loss and accuracy over the last complete epoch.
  const EpochStats& last_epoch() const { return last_epoch_; }

 private:
  void record(float loss, const Tensor& logits, const Batch& batch);

  Model peer_;
  Sgd sgd_;
  Rng dropout_rng_;
  LrSchedule schedule_;
  int64_t steps_per_epoch_;
  int64_t total_steps_;
  KdWeights weights_;
  int64_t step_ = 0;
  Tensor student_probs_, peer_probs_, peer_grad_;
  std::vector<int32_t> predictions_;
  double loss_sum_ = 0.0, correct_ = 0.0, seen_ = 0.0;
  EpochStats last_epoch_;
};

// Deep mutual learning's weights: α on T² · KL, 1 on the labels' cross-entropy.
KdWeights mutual_weights(float temperature, float alpha);

}  // namespace slim
