#include "methods/pruning/pruning_training.h"

#include "core/train/init.h"
#include "core/train/progress.h"
#include "datasets/batch_loader.h"
#include "methods/baseline/finetune.h"
#include "methods/pruning/pruning_settings.h"

namespace slim {

Recipe pruning_recipe(const MethodContext& context, int epochs, double lr_scale,
                      const std::string& schedule, uint64_t stream, uint64_t round) {
  const nlohmann::json phase = {{"epochs", epochs}, {"lr_scale", lr_scale}, {"schedule", schedule}};
  return finetune_recipe(context.baseline_recipe, phase, pruning_seed(context.seed, stream, round));
}

int64_t training_steps_per_epoch(const Dataset& dataset, int64_t batch_size) {
  return BatchLoader(dataset, dataset.train, BatchOptions{batch_size}).num_batches();
}

void add_training_params(ParamSchema& schema, int default_epochs, std::string lr_description,
                         bool from_init) {
  schema.push_back(int_param("epochs", default_epochs, 1, 1000, "training epochs"));
  schema.push_back(number_param("lr_scale", 0.1, 1e-6, 10.0, std::move(lr_description)));
  schema.push_back(
      choice_param("schedule", "cosine", {"cosine", "constant", "step"}, "learning-rate schedule"));
  if (from_init) {
    schema.push_back(bool_param(
        "from_init", false, "start from the seed's initial weights instead of the trained model"));
  }
}

Recipe recipe_from_params(const MethodContext& context, const nlohmann::json& params,
                          uint64_t stream) {
  return pruning_recipe(context, params.at("epochs").get<int>(),
                        params.at("lr_scale").get<double>(),
                        params.at("schedule").get<std::string>(), stream);
}

void reset_to_initial_weights(Model& model, uint64_t seed) {
  Rng init_rng = Rng(seed).split(kInitStream);
  init_parameters(model, init_rng);
}

void train_in_method(Model& model, MethodContext& context, const Recipe& recipe, TrainHooks hooks) {
  TrainingProgress progress(context.log);
  progress.attach(hooks);
  hooks.evaluate_each_epoch = false;
  train(model, context.dataset, recipe, hooks);
}

}  // namespace slim
