#include "methods/pruning/l1_prune.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "methods/pruning/importance.h"
#include "methods/pruning/mask_selection.h"
#include "methods/pruning/prunable_weights.h"
#include "methods/pruning/pruning_training.h"
#include "methods/pruning/sparsity_report.h"

namespace slim {
namespace {

constexpr uint64_t kL1TrainStream = 0x6c317472;     // "l1tr"
constexpr uint64_t kL1FinetuneStream = 0x6c316674;  // "l1ft"

double zero_fraction(std::span<const PrunableWeight> weights) {
  int64_t zeros = 0, total = 0;
  for (const PrunableWeight& weight : weights) {
    for (float v : std::as_const(weight.parameter->value).values()) zeros += v == 0.0f;
    total += weight.numel();
  }
  return static_cast<double>(zeros) / static_cast<double>(total);
}

// The L1 phase: training with the proximal step after every optimizer step.
void train_with_l1(Model& model, std::span<const PrunableWeight> weights, float lambda,
                   const Recipe& recipe, MethodContext& context) {
  const LrSchedule schedule = recipe.lr_schedule();
  const int64_t per_epoch = training_steps_per_epoch(context.dataset, recipe.batch_size);
  const int64_t total = per_epoch * recipe.epochs;
  TrainHooks hooks;
  hooks.after_step = [&](int64_t step) {
    // The same call train() made for this step's update, so lr_t is bit-identical.
    const float lr = schedule.at(step, total, per_epoch);
    for (const PrunableWeight& weight : weights) {
      soft_threshold(weight.parameter->value.values(), lr * lambda);
    }
  };
  train_in_method(model, context, recipe, std::move(hooks));
}

void apply_l1_prune(Model& model, const nlohmann::json& params, MethodContext& context) {
  const LayerSelection layers = parse_layer_selection(params.at("layers").get<std::string>());
  const std::vector<PrunableWeight> weights = prunable_weights(model, layers);
  const auto lambda = params.at("lambda").get<float>();
  const double lr_scale = params.at("lr_scale").get<double>();
  const std::string schedule = params.at("schedule").get<std::string>();

  const Recipe recipe =
      pruning_recipe(context, params.at("epochs").get<int>(), lr_scale, schedule, kL1TrainStream);
  train_with_l1(model, weights, lambda, recipe, context);
  const double l1_zeros = zero_fraction(weights);

  const double sparsity = params.at("sparsity").get<double>();
  prune_to_sparsity(weights, magnitude_scores(weights), sparsity,
                    parse_threshold_scope(params.at("scope").get<std::string>()));
  if (const int epochs = params.at("finetune_epochs").get<int>(); epochs > 0) {
    train_in_method(model, context,
                    pruning_recipe(context, epochs, lr_scale, schedule, kL1FinetuneStream));
  }

  nlohmann::json report = sparsity_report(model, weights);
  report["lambda"] = params.at("lambda");
  report["l1_zero_fraction"] = l1_zeros;
  fmt::print(context.log,
             "l1_prune: lambda {:g} left {:.4f} of the weights exactly zero; pruned to {:.4f} "
             "weight sparsity\n",
             lambda, l1_zeros, report.at("weight_sparsity").get<double>());
  context.report["l1_prune"] = std::move(report);
}

}  // namespace

void soft_threshold(std::span<float> values, float threshold) {
  for (float& w : values) {
    const float shrunk = std::abs(w) - threshold;
    w = shrunk > 0.0f ? std::copysign(shrunk, w) : 0.0f;
  }
}

Method l1_prune_method() {
  return Method{
      .name = "l1_prune",
      .family = MethodFamily::kPruning,
      .description = "train with an L1 penalty (proximal step), then prune by magnitude",
      .params =
          {
              number_param("lambda", 1e-4, 0.0, 10.0,
                           "L1 strength: each step shrinks |w| by lr * lambda"),
              number_param("sparsity", 0.9, 0.0, 0.999,
                           "fraction of the selected weights set to zero after the L1 phase"),
              choice_param(
                  "scope", "global", threshold_scope_names(),
                  "one threshold over all selected weights, or the same sparsity per layer"),
              choice_param("layers", "all", layer_selection_names(),
                           "which weights are penalised and pruned"),
              int_param("epochs", 4, 1, 1000, "epochs of training with the L1 penalty"),
              number_param("lr_scale", 0.1, 1e-6, 10.0,
                           "learning rate as a fraction of the baseline's (both phases)"),
              choice_param("schedule", "cosine", {"cosine", "constant", "step"},
                           "learning-rate schedule (both phases)"),
              int_param("finetune_epochs", 0, 0, 1000,
                        "epochs of fine-tuning with the masks after pruning"),
          },
      .apply = apply_l1_prune,
  };
}

}  // namespace slim
