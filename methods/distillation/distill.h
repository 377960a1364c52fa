// distill: offline knowledge distillation (Hinton et al. 2015) as a pipeline step, with an
// optional FitNets hint. The job's model is the student; the teacher is frozen.
//
// Parameters: teacher ("baseline", a zoo model or a checkpoint), temperature, alpha,
// init (scratch | trained), epochs (0: the baseline's), lr_scale, and the hint options
// hint_student / hint_teacher (node names; empty: response KD only) and hint_weight.
// Report (context.report["distill"]): teacher, teacher_architecture,
// teacher_test_accuracy, temperature, alpha, init, epochs, lr, final_train_loss,
// final_train_accuracy, final_kl, final_ce, teacher_logits, and with a hint
// final_hint_loss and hint {student, teacher, weight, regressor, loss}.
#pragma once

#include "methods/method.h"

namespace slim {

Method distill_method();

}  // namespace slim
