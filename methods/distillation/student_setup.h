// Where a distillation student starts and the recipe it trains with, shared by offline
// distillation (distill) and deep mutual learning (mutual_learning).
//
// init "scratch" re-initialises the job's model exactly as its standalone baseline
// started (the seed's init stream; BatchNorm back to γ = 1, β = 0 and fresh running
// statistics) and trains with the baseline's own recipe and seed, so its shuffles (and
// dropout masks) are the baseline's too: the only difference from training alone is the
// loss, the comparison of Hinton et al.'s experiment. init "trained" continues from the
// model as the pipeline left it (a pruned model being fine-tuned under a teacher), with
// a shuffle seed of the method's own. Pruning masks persist in both: masked weights are
// zeroed after re-initialisation, and Sgd keeps them at zero.
#pragma once

#include <cstdint>
#include <string>

#include "core/model.h"
#include "core/train/recipe.h"
#include "methods/method.h"
#include "methods/param_schema.h"

namespace slim {

enum class StudentInit { kScratch, kTrained };

ParamSpec student_init_param();
StudentInit parse_student_init(const std::string& name);
std::string student_init_name(StudentInit init);

// Re-initialises the model for kScratch (see above); leaves it alone for kTrained.
void prepare_student(Model& model, StudentInit init, uint64_t seed);

// The baseline's recipe with `epochs` (0: the baseline's) and lr × `lr_scale`; the seed
// is the baseline's for kScratch and the job's seed split by `stream` for kTrained.
Recipe student_recipe(const MethodContext& context, StudentInit init, int epochs, double lr_scale,
                      uint64_t stream);

}  // namespace slim
