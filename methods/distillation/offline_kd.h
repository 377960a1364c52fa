// Offline distillation from a frozen teacher as train() hooks: the loss that replaces
// cross-entropy (kd_loss.h), optionally with a FitNets hint (feature_hint.h).
//
// Response KD alone reads the teacher's logits from a TeacherLogits cache (one teacher
// pass for the whole training). With a hint the teacher runs on every batch, in eval
// mode: its hidden activations are N × width floats for the whole split (288 MB for a
// 1200-wide layer of Fashion-MNIST), too many to cache.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "core/model.h"
#include "core/rng.h"
#include "core/train/recipe.h"
#include "core/train/trainer.h"
#include "methods/distillation/feature_hint.h"
#include "methods/distillation/kd_loss.h"
#include "methods/distillation/teacher.h"

namespace slim {

struct HintConfig {
  std::string student_node;
  std::string teacher_node;
  float weight = 1.0f;  // β
};

class OfflineDistiller {
 public:
  // Response KD with cached teacher logits. `steps_per_epoch` delimits the epochs whose
  // last one report() averages.
  OfflineDistiller(const TeacherLogits& cache, const KdWeights& weights, int64_t steps_per_epoch);
  // Response and feature KD: `teacher` runs on every batch; the regressor trains with the
  // recipe's SGD settings and learning-rate schedule.
  OfflineDistiller(Model& teacher, Model& student, const HintConfig& hint, const KdWeights& weights,
                   const Recipe& recipe, int64_t steps_per_epoch, Rng& init_rng);

  // Sets hooks.loss, and with a hint hooks.extra_output_grads and hooks.after_step.
  // The distiller must outlive the training.
  void attach(TrainHooks& hooks);

  // Means over the last epoch: kl, ce, and with a hint hint_loss and the regressor.
  nlohmann::json report() const;

 private:
  float loss(const Tensor& logits, const Batch& batch, Tensor& grad_logits);
  void record(const KdLossValue& value, float hint_loss, int64_t batch_size);

  const TeacherLogits* cache_ = nullptr;
  Model* teacher_ = nullptr;
  Model* student_ = nullptr;
  KdWeights weights_;
  int64_t steps_per_epoch_;
  std::optional<HintConfig> hint_;
  int student_node_ = -1, teacher_node_ = -1;
  std::unique_ptr<HintRegressor> regressor_;
  LrSchedule schedule_;
  int64_t total_steps_ = 0;

  Tensor teacher_logits_, teacher_probs_, hint_grad_;
  std::pair<int, const Tensor*> extra_grad_;
  // Sums over the current epoch, weighted by batch size.
  int64_t steps_ = 0;
  double seen_ = 0.0, kl_sum_ = 0.0, ce_sum_ = 0.0, hint_sum_ = 0.0;
  nlohmann::json last_epoch_ = nlohmann::json::object();
};

}  // namespace slim
