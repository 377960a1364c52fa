// finetune: more training of the current model with a derived recipe, the step between
// a lossy rewrite and the next one (prune -> finetune -> quantize). Pruning masks stay
// enforced by the optimizer; encoded (e.g. quantized) parameters are refused by train().
#pragma once

#include "core/train/recipe.h"
#include "methods/method.h"

namespace slim {

Method finetune_method();

// The recipe a finetune step trains with: the baseline's, with the step's epochs,
// learning rate scaled by lr_scale, and a seed derived from the job's seed.
Recipe finetune_recipe(const Recipe& baseline, const nlohmann::json& params, uint64_t seed);

}  // namespace slim
