// The teacher of a distillation step: which model the "teacher" parameter names, the
// checks that it can teach this student, and its logits on the train split.
//
// "baseline" is the job's trained model before its pipeline (MethodContext::
// baseline_model): distilled into a re-initialised copy of itself it gives born-again
// self-distillation; after a compression step it guides the compressed model. A zoo
// model name is trained (or loaded from the baseline cache) with its zoo recipe and the
// job's seed; any other value must be a checkpoint file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_path.h"
#include "core/model.h"
#include "datasets/dataset.h"
#include "methods/method.h"

namespace slim {

inline constexpr std::string_view kBaselineTeacher = "baseline";

// For Method::check_params: a UserError at `at` unless `teacher` is "baseline", a zoo
// model or an existing file; the message lists the choices.
void check_teacher_name(const std::string& teacher, const JsonPath& at);

// A copy of the model `teacher` names (the copy is run in eval mode, never trained).
Model resolve_teacher(const std::string& teacher, const MethodContext& context);

// A UserError unless the teacher reads the student's inputs and predicts its classes.
void check_teacher_fits(const Model& teacher, const Model& student);

// The frozen teacher's logits on every sample of a split, from one eval-mode pass
// (dropout off, BatchNorm on running statistics), looked up by the samples' split
// indices (Batch::indices): offline distillation runs the teacher once, not once per
// epoch.
class TeacherLogits {
 public:
  TeacherLogits(Model& teacher, const Dataset& dataset, const Split& split,
                int64_t batch_size = 500);

  // The cached logits of `indices`, one row each, into `out` ([indices.size(), classes]).
  void gather(std::span<const int64_t> indices, Tensor& out) const;
  int64_t num_samples() const { return logits_.dim(0); }

 private:
  Tensor logits_;  // [split.count, classes]
};

}  // namespace slim
