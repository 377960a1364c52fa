// Feature distillation after FitNets (Romero et al. 2015): a learned regressor r maps the
// activation f_s of a student node (the "guided" layer) onto the activation f_t of a
// teacher node (the "hint"), and the student is pulled towards the teacher's features by
//
//   L_hint = β / (2·n) · Σ (r(f_s) − f_t)²,   n = number of elements of f_t (batch included)
//
// i.e. β/2 times the per-element mean squared error, so β does not have to change with the
// hint's width. r is a Linear layer for [batch, features] activations and a 1×1 Conv2d for
// [batch, channels, H, W] activations of the same H×W; anything else is refused.
//
// Unlike FitNets' two stages (first the student's lower layers and r on L_hint alone, then
// the whole student on the KD loss), slimbench trains one joint stage: the student on
// KD + L_hint, r on L_hint with its own SGD at the student's learning rate.
#pragma once

#include <string>

#include "core/model.h"
#include "core/rng.h"
#include "core/train/optimizer.h"

namespace slim {

class HintRegressor {
 public:
  // `student_shape` and `teacher_shape` are the two nodes' activation shapes (batch
  // included); the names only label errors and the report.
  HintRegressor(const Shape& student_shape, const Shape& teacher_shape,
                const std::string& student_node, const std::string& teacher_node,
                const SgdOptions& sgd, Rng& init_rng);

  // L_hint for one batch; writes dL_hint/df_s into `grad_student` and sets the
  // regressor's parameter gradients (zeroed first) for step().
  float loss(const Tensor& student_feature, const Tensor& teacher_feature, float weight,
             Tensor& grad_student);
  // One SGD step of the regressor on the gradients of the last loss().
  void step(float learning_rate);

  std::string describe() const;  // e.g. "linear 800->1200"
  Model& model() { return model_; }

 private:
  Model model_;  // one node, "regressor": a Model so that Sgd and init_parameters apply
  Sgd sgd_;
  Tensor output_, grad_output_;
};

}  // namespace slim
