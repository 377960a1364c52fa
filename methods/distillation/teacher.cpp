#include "methods/distillation/teacher.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "core/error.h"
#include "datasets/batch_loader.h"
#include "models/zoo.h"

namespace slim {
namespace {

bool is_zoo_model(const std::string& name) {
  const std::vector<std::string> zoo = model_names();
  return std::find(zoo.begin(), zoo.end(), name) != zoo.end();
}

}  // namespace

void check_teacher_name(const std::string& teacher, const JsonPath& at) {
  // Mirrors harness/baseline_cache.h's named_model_source, which methods/ cannot link:
  // the harness depends on the methods, not the other way round.
  if (teacher == kBaselineTeacher || is_zoo_model(teacher) ||
      std::filesystem::is_regular_file(teacher)) {
    return;
  }
  at.fail(
      "teacher '{}' is neither \"{}\" (the job's trained model), a zoo model ({}) nor an "
      "existing checkpoint file",
      teacher, kBaselineTeacher, fmt::join(model_names(), ", "));
}

Model resolve_teacher(const std::string& teacher, const MethodContext& context) {
  if (teacher == kBaselineTeacher) {
    if (!context.baseline_model) {
      fail("teacher \"{}\" needs the job's trained model, which only a sweep provides",
           kBaselineTeacher);
    }
    return *context.baseline_model;
  }
  if (!context.trained_model) {
    fail(
        "teacher '{}' must be trained or loaded by a sweep's baseline cache; outside a sweep "
        "only teacher \"{}\" can be used",
        teacher, kBaselineTeacher);
  }
  return context.trained_model(teacher);
}

void check_teacher_fits(const Model& teacher, const Model& student) {
  if (teacher.num_classes() != student.num_classes() ||
      teacher.sample_shape() != student.sample_shape()) {
    fail("teacher {} (input {}, {} classes) cannot teach student {} (input {}, {} classes)",
         teacher.architecture(), shape_to_string(teacher.sample_shape()), teacher.num_classes(),
         student.architecture(), shape_to_string(student.sample_shape()), student.num_classes());
  }
}

TeacherLogits::TeacherLogits(Model& teacher, const Dataset& dataset, const Split& split,
                             int64_t batch_size) {
  const int64_t classes = teacher.num_classes();
  logits_ = Tensor({split.count, classes});
  BatchLoader loader(dataset, split, BatchOptions{batch_size, std::nullopt, false});
  const ForwardContext eval{Mode::kEval, nullptr};
  Batch batch;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const Tensor& logits = teacher.forward(batch.x, eval);
    for (int64_t i = 0; i < batch.size(); ++i) {
      std::memcpy(logits_.data() + batch.indices[static_cast<size_t>(i)] * classes,
                  logits.data() + i * classes, static_cast<size_t>(classes) * sizeof(float));
    }
  }
}

void TeacherLogits::gather(std::span<const int64_t> indices, Tensor& out) const {
  const int64_t classes = logits_.dim(1);
  out.resize({static_cast<int64_t>(indices.size()), classes});
  for (size_t i = 0; i < indices.size(); ++i) {
    const int64_t sample = indices[i];
    if (sample < 0 || sample >= num_samples()) {
      throw std::logic_error("TeacherLogits: sample index outside the cached split");
    }
    std::memcpy(out.data() + static_cast<int64_t>(i) * classes, logits_.data() + sample * classes,
                static_cast<size_t>(classes) * sizeof(float));
  }
}

}  // namespace slim
