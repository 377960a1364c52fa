#include "methods/distillation/student_setup.h"

#include "core/error.h"
#include "core/rng.h"
#include "methods/pruning/mask_selection.h"
#include "methods/pruning/prunable_weights.h"
#include "methods/pruning/pruning_training.h"

namespace slim {

ParamSpec student_init_param() {
  return choice_param("init", "scratch", {"scratch", "trained"},
                      "scratch: the baseline's initial weights, recipe and shuffles (Hinton's "
                      "comparison); trained: continue from the current model");
}

StudentInit parse_student_init(const std::string& name) {
  if (name == "scratch") return StudentInit::kScratch;
  if (name == "trained") return StudentInit::kTrained;
  fail("unknown init '{}'; valid choices: scratch, trained", name);
}

std::string student_init_name(StudentInit init) {
  return init == StudentInit::kScratch ? "scratch" : "trained";
}

void prepare_student(Model& model, StudentInit init, uint64_t seed) {
  if (init == StudentInit::kTrained) return;
  reset_to_initial_weights(model, seed);  // BatchNorm included (core/train/init.h)
  apply_masks(prunable_weights(model, LayerSelection::kAll));
}

Recipe student_recipe(const MethodContext& context, StudentInit init, int epochs, double lr_scale,
                      uint64_t stream) {
  Recipe recipe = context.baseline_recipe;
  if (epochs > 0) recipe.epochs = epochs;
  recipe.lr = static_cast<float>(recipe.lr * lr_scale);
  if (init == StudentInit::kTrained) recipe.seed = Rng(context.seed).split(stream).next_u64();
  return recipe;
}

}  // namespace slim
