#include "methods/distillation/distill.h"

#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/train/progress.h"
#include "core/train/trainer.h"
#include "methods/distillation/kd_loss.h"
#include "methods/distillation/offline_kd.h"
#include "methods/distillation/student_setup.h"
#include "methods/distillation/teacher.h"
#include "methods/pruning/pruning_training.h"

namespace slim {
namespace {

// Seeds of distill's own randomness: the shuffle with init "trained", the regressor.
constexpr uint64_t kDistillSeedStream = 0x6b64;        // "kd"
constexpr uint64_t kRegressorInitStream = 0x68696e74;  // "hint"

std::optional<HintConfig> parse_hint(const nlohmann::json& params) {
  const auto student = params.at("hint_student").get<std::string>();
  if (student.empty()) return std::nullopt;
  return HintConfig{student, params.at("hint_teacher").get<std::string>(),
                    params.at("hint_weight").get<float>()};
}

void check_distill_params(const nlohmann::json& params, const JsonPath& at) {
  check_teacher_name(params.at("teacher").get<std::string>(), at / "teacher");
  const bool student_hint = !params.at("hint_student").get<std::string>().empty();
  const bool teacher_hint = !params.at("hint_teacher").get<std::string>().empty();
  if (student_hint != teacher_hint) {
    at.fail("hint_student and hint_teacher go together: name a node of each, or neither");
  }
}

nlohmann::json distill_report(const nlohmann::json& params, const std::string& teacher_architecture,
                              double teacher_accuracy, const Recipe& recipe,
                              const std::vector<EpochReport>& epochs,
                              const OfflineDistiller& distiller) {
  nlohmann::json report = {{"teacher", params.at("teacher")},
                           {"teacher_architecture", teacher_architecture},
                           {"teacher_test_accuracy", teacher_accuracy},
                           {"temperature", params.at("temperature").get<double>()},
                           {"alpha", params.at("alpha").get<double>()},
                           {"init", params.at("init")},
                           {"epochs", recipe.epochs},
                           {"lr", recipe.lr}};
  if (!epochs.empty()) {
    report["final_train_loss"] = epochs.back().train_loss;
    report["final_train_accuracy"] = epochs.back().train_accuracy;
  }
  report.update(distiller.report());
  return report;
}

void print_plan(std::FILE* log, const nlohmann::json& params, const Model& teacher,
                double teacher_accuracy, const Model& student, const Recipe& recipe,
                const std::optional<HintConfig>& hint) {
  fmt::print(log,
             "distill: teacher {} ({}, test accuracy {:.4f}) -> {}, T {:g}, alpha {:g}, init {}, "
             "{} epoch(s) from lr {:g}{}\n",
             params.at("teacher").get<std::string>(), teacher.architecture(), teacher_accuracy,
             student.architecture(), params.at("temperature").get<double>(),
             params.at("alpha").get<double>(), params.at("init").get<std::string>(), recipe.epochs,
             recipe.lr,
             hint ? fmt::format(", hint {} <- {}", hint->student_node, hint->teacher_node) : "");
}

void apply_distill(Model& model, const nlohmann::json& params, MethodContext& context) {
  check_distill_params(params, JsonPath("distill"));
  Model teacher = resolve_teacher(params.at("teacher").get<std::string>(), context);
  check_teacher_fits(teacher, model);
  // A report of the teacher alone: nothing in the student's training looks at it.
  const double teacher_accuracy = evaluate(teacher, context.dataset, context.dataset.test).accuracy;

  const StudentInit init = parse_student_init(params.at("init").get<std::string>());
  prepare_student(model, init, context.seed);
  const Recipe recipe = student_recipe(context, init, params.at("epochs").get<int>(),
                                       params.at("lr_scale").get<double>(), kDistillSeedStream);
  const KdWeights weights =
      hinton_weights(params.at("temperature").get<float>(), params.at("alpha").get<float>());
  const int64_t steps_per_epoch = training_steps_per_epoch(context.dataset, recipe.batch_size);
  const std::optional<HintConfig> hint = parse_hint(params);
  print_plan(context.log, params, teacher, teacher_accuracy, model, recipe, hint);

  std::optional<TeacherLogits> cache;
  std::optional<OfflineDistiller> distiller;
  if (hint) {
    Rng init_rng = Rng(context.seed).split(kRegressorInitStream);
    distiller.emplace(teacher, model, *hint, weights, recipe, steps_per_epoch, init_rng);
  } else {
    cache.emplace(teacher, context.dataset, context.dataset.train);
    distiller.emplace(*cache, weights, steps_per_epoch);
  }
  TrainHooks hooks;
  distiller->attach(hooks);
  TrainingProgress progress(context.log);
  progress.attach(hooks);
  hooks.evaluate_each_epoch = false;
  const std::vector<EpochReport> epochs = train(model, context.dataset, recipe, hooks);
  context.report["distill"] =
      distill_report(params, teacher.architecture(), teacher_accuracy, recipe, epochs, *distiller);
}

}  // namespace

Method distill_method() {
  return Method{
      .name = "distill",
      .family = MethodFamily::kDistillation,
      .description =
          "offline knowledge distillation (Hinton et al. 2015): alpha T^2 KL(teacher "
          "|| student) + (1 - alpha) CE at temperature T, optional FitNets hint",
      .params =
          {
              choice_param("teacher", std::string(kBaselineTeacher), {},
                           "\"baseline\" (the job's trained model), a zoo model (trained "
                           "with the job's seed) or a checkpoint file"),
              number_param("temperature", 4.0, 0.5, 100.0, "softmax temperature T"),
              number_param("alpha", 0.9, 0.0, 1.0,
                           "weight of the T^2-scaled KL term; 1 - alpha weighs the labels"),
              student_init_param(),
              int_param("epochs", 0, 0, 1000, "training epochs (0: the baseline recipe's)"),
              number_param("lr_scale", 1.0, 1e-6, 10.0,
                           "learning rate as a fraction of the baseline's"),
              choice_param("hint_student", "", {},
                           "student node whose output a regressor maps onto hint_teacher's "
                           "(FitNets); empty: no hint"),
              choice_param("hint_teacher", "", {}, "teacher node whose output is the hint"),
              number_param("hint_weight", 1.0, 0.0, 1e4,
                           "beta: weight of the hint loss, beta/2 x mean squared error"),
          },
      .apply = apply_distill,
      .check_params = check_distill_params,
  };
}

}  // namespace slim
