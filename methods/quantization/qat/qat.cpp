// The "qat" method: calibrate as static PTQ, train the QAT model, convert (qat.h).
#include "methods/quantization/qat/qat.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/train/progress.h"
#include "core/train/trainer.h"
#include "methods/distillation/kd_loss.h"
#include "methods/distillation/offline_kd.h"
#include "methods/distillation/teacher.h"
#include "methods/pruning/pruning_training.h"
#include "methods/quantization/activation_calibration.h"
#include "methods/quantization/bn_folding.h"
#include "methods/quantization/qat/qat_graph.h"
#include "methods/quantization/quant_params.h"

namespace slim {
namespace {

// Keeps QAT's shuffle independent of the baseline's, which used the seed itself.
constexpr uint64_t kQatSeedStream = 0x716174;  // "qat"

QatOptions parse_qat_options(const nlohmann::json& params) {
  const bool paper_init = params.at("lsq_init").get<std::string>() == "mean_abs";
  return QatOptions{.graph = parse_graph_quant_options(params),
                    .estimator = parse_estimator(params.at("estimator").get<std::string>()),
                    .lsq_init = paper_init ? LsqInit::kMeanAbs : LsqInit::kCalibrated};
}

// The PTQ starting point: the grids static PTQ would deploy, on the folded model.
ActivationGrids calibrate_like_static_ptq(const Model& model, const nlohmann::json& params,
                                          MethodContext& context) {
  Model folded = fold_batch_norms(model);
  fmt::print(context.log, "qat: calibrating {} activations on {} samples ({})\n",
             folded.nodes().size() + 1, context.calibration_indices.size(),
             params.at("activation_calibrator").get<std::string>());
  return calibrate_activations(folded, context.dataset, context.calibration_indices,
                               parse_activation_calibration(params));
}

TrainHooks qat_hooks(Model& qat, int freeze_bn_epoch, TrainingProgress& progress, std::FILE* log) {
  TrainHooks hooks;
  progress.attach(hooks);
  hooks.evaluate_each_epoch = false;
  hooks.before_epoch = [&qat, freeze_bn_epoch, log](int epoch) {
    if (epoch != freeze_bn_epoch) return;
    if (const int frozen = freeze_batch_norm_statistics(qat); frozen > 0) {
      fmt::print(log, "qat: statistics of {} BatchNorm layer(s) frozen from epoch {}\n", frozen,
                 epoch + 1);
    }
  };
  hooks.after_step = [&qat](int64_t) { update_learned_grids(qat); };
  return hooks;
}

nlohmann::json training_report(const Recipe& recipe, const nlohmann::json& params,
                               const std::vector<EpochReport>& epochs) {
  nlohmann::json report = {{"epochs", recipe.epochs},
                           {"lr", recipe.lr},
                           {"estimator", params.at("estimator")},
                           {"freeze_bn_epoch", params.at("freeze_bn_epoch")}};
  if (!epochs.empty()) {
    report["final_train_loss"] = epochs.back().train_loss;
    report["final_train_accuracy"] = epochs.back().train_accuracy;
  }
  return report;
}

void check_qat_params(const nlohmann::json& params, const JsonPath& at) {
  const auto teacher = params.at("teacher").get<std::string>();
  if (!teacher.empty()) check_teacher_name(teacher, at / "teacher");
}

// With a teacher, QAT's loss becomes Hinton's against the teacher's cached logits (an
// FP32 guide for its own quantized version with "baseline").
struct QatTeacher {
  std::optional<TeacherLogits> logits;
  std::optional<OfflineDistiller> distiller;
};

void attach_teacher(QatTeacher& guide, const Model& model, const nlohmann::json& params,
                    const Recipe& recipe, MethodContext& context, TrainHooks& hooks) {
  const auto name = params.at("teacher").get<std::string>();
  if (name.empty()) return;
  Model teacher = resolve_teacher(name, context);
  check_teacher_fits(teacher, model);
  fmt::print(context.log, "qat: guided by teacher {} ({}), T {:g}, alpha {:g}\n", name,
             teacher.architecture(), params.at("temperature").get<double>(),
             params.at("alpha").get<double>());
  guide.logits.emplace(teacher, context.dataset, context.dataset.train);
  guide.distiller.emplace(
      *guide.logits,
      hinton_weights(params.at("temperature").get<float>(), params.at("alpha").get<float>()),
      training_steps_per_epoch(context.dataset, recipe.batch_size));
  guide.distiller->attach(hooks);
}

void apply_qat(Model& model, const nlohmann::json& params, MethodContext& context) {
  const QatOptions options = parse_qat_options(params);
  const ActivationGrids grids = calibrate_like_static_ptq(model, params, context);
  Model qat = build_qat_model(model, grids, options);

  const Recipe recipe = qat_recipe(context.baseline_recipe, params, context.seed);
  const int freeze_bn_epoch = params.at("freeze_bn_epoch").get<int>();
  fmt::print(context.log, "qat: {} epoch(s), cosine from lr {:g}, estimator {}\n", recipe.epochs,
             recipe.lr, params.at("estimator").get<std::string>());
  TrainingProgress progress(context.log);
  TrainHooks hooks = qat_hooks(qat, freeze_bn_epoch, progress, context.log);
  QatTeacher guide;
  attach_teacher(guide, model, params, recipe, context, hooks);
  const std::vector<EpochReport> epochs = train(qat, context.dataset, recipe, hooks);

  context.report["qat"] = training_report(recipe, params, epochs);
  if (guide.distiller) {
    context.report["qat"]["teacher"] = params.at("teacher");
    context.report["qat"]["distillation"] = guide.distiller->report();
  }
  model = convert_qat_model(qat, options);
}

}  // namespace

Recipe qat_recipe(const Recipe& baseline, const nlohmann::json& params, uint64_t seed) {
  Recipe recipe = baseline;
  const double epochs = baseline.epochs * params.at("epochs_fraction").get<double>();
  recipe.epochs = std::max(1, static_cast<int>(std::lround(epochs)));
  recipe.lr = baseline.lr * params.at("lr_scale").get<float>();
  recipe.schedule = "cosine";
  recipe.seed = Rng(seed).split(kQatSeedStream).next_u64();
  return recipe;
}

Method qat_method() {
  return Method{
      .name = "qat",
      .family = MethodFamily::kQuantization,
      .description =
          "quantization-aware training from the static PTQ model (fake quant, BN folding "
          "simulated), then the static integer graph",
      .params = join_params(
          {weight_quant_params(),
           activation_calibration_params(),
           {rounding_param(),
            choice_param("estimator", "ste", {"ste", "lsq"},
                         "fake-quant gradient: straight-through, or LSQ learned step sizes"),
            choice_param("lsq_init", "calibrated", {"calibrated", "mean_abs"},
                         "LSQ's first weight scales: the PTQ quantizer's, or the paper's "
                         "2 mean|w| / sqrt(QP)"),
            number_param("lr_scale", 0.01, 1e-6, 10.0,
                         "peak learning rate as a fraction of the baseline's (cosine to zero)"),
            number_param("epochs_fraction", 0.1, 0.0, 10.0,
                         "QAT epochs as a fraction of the baseline's (rounded, at least 1)"),
            int_param("freeze_bn_epoch", 1, 0, 10000,
                      "epochs with BatchNorm batch statistics before the running statistics "
                      "are frozen (0: frozen throughout)"),
            choice_param("teacher", "", {},
                         "distil from this teacher while training (\"baseline\": the FP32 "
                         "model; a zoo model or checkpoint); empty: cross-entropy only"),
            number_param("temperature", 4.0, 0.5, 100.0, "distillation temperature T"),
            number_param("alpha", 0.9, 0.0, 1.0,
                         "weight of the T^2-scaled KL term; 1 - alpha weighs the labels")}}),
      .apply = apply_qat,
      .check_params = check_qat_params,
  };
}

}  // namespace slim
