// Training phases inside pruning methods (dynamic sparse training, the L1 phase and
// fine-tuning of l1_prune): the recipe they train with, the step count their schedules
// are laid out on, and the loop itself with progress on the context's log.
#pragma once

#include <cstdint>
#include <string>

#include "core/train/recipe.h"
#include "core/train/trainer.h"
#include "methods/method.h"
#include "methods/param_schema.h"

namespace slim {

// The baseline's recipe with `epochs`, the learning rate scaled by `lr_scale` and
// `schedule` (finetune_recipe), seeded from the job's seed and the method's own stream
// so no two phases share a shuffle.
Recipe pruning_recipe(const MethodContext& context, int epochs, double lr_scale,
                      const std::string& schedule, uint64_t stream, uint64_t round = 0);

// Optimizer steps per epoch as train() takes them: every batch, the last short one too.
int64_t training_steps_per_epoch(const Dataset& dataset, int64_t batch_size);

// The schema entries of a training phase: epochs, lr_scale, schedule, and with
// `from_init` the choice to start from the seed's initial weights.
void add_training_params(ParamSchema& schema, int default_epochs, std::string lr_description,
                         bool from_init);
// The recipe those entries describe (`stream` as for pruning_recipe).
Recipe recipe_from_params(const MethodContext& context, const nlohmann::json& params,
                          uint64_t stream);

// Resets the model to the initial weights its dense baseline started from (the seed's
// init stream; BatchNorm back to its initial state too), for methods that prune while
// training from scratch.
void reset_to_initial_weights(Model& model, uint64_t seed);

// train() with progress on context.log and no per-epoch test evaluation: a method that
// is still choosing its model must not look at the test split.
void train_in_method(Model& model, MethodContext& context, const Recipe& recipe,
                     TrainHooks hooks = {});

}  // namespace slim
