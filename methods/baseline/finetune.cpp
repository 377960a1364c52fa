#include "methods/baseline/finetune.h"

#include "core/rng.h"
#include "core/train/progress.h"
#include "core/train/trainer.h"

namespace slim {
namespace {

// Keeps fine-tuning's shuffle independent of the baseline's, which used the seed itself.
constexpr uint64_t kFinetuneSeedStream = 0x66696e65;  // "fine"

void apply_finetune(Model& model, const nlohmann::json& params, MethodContext& context) {
  const Recipe recipe = finetune_recipe(context.baseline_recipe, params, context.seed);
  TrainHooks hooks;
  TrainingProgress progress(context.log);
  progress.attach(hooks);
  hooks.evaluate_each_epoch = false;
  train(model, context.dataset, recipe, hooks);
}

}  // namespace

Recipe finetune_recipe(const Recipe& baseline, const nlohmann::json& params, uint64_t seed) {
  Recipe recipe = baseline;
  recipe.epochs = params.at("epochs").get<int>();
  recipe.lr = baseline.lr * params.at("lr_scale").get<float>();
  recipe.schedule = params.at("schedule").get<std::string>();
  recipe.step_epochs = std::max(1, recipe.epochs / 2);
  recipe.seed = Rng(seed).split(kFinetuneSeedStream).next_u64();
  return recipe;
}

Method finetune_method() {
  return Method{
      .name = "finetune",
      .family = MethodFamily::kBaseline,
      .description = "train the current model further (baseline recipe, scaled learning rate)",
      .params =
          {
              int_param("epochs", 1, 1, 1000, "epochs of fine-tuning"),
              // Han et al. 2015 retrain pruned networks at 1/10 of the original rate.
              number_param("lr_scale", 0.1, 1e-6, 10.0,
                           "learning rate as a fraction of the baseline's"),
              choice_param("schedule", "cosine", {"cosine", "constant", "step"},
                           "learning-rate schedule"),
          },
      .apply = apply_finetune,
  };
}

}  // namespace slim
