// agp: automated gradual pruning (Zhu & Gupta 2017) during training. Magnitude masks are
// recomputed every `update_every` steps on the cubic schedule
//   s_t = s_f + (s_i - s_f) * (1 - p)^3,  p = clip((t - t0) / (t_end - t0), 0, 1),
// with t0 and t_end given as fractions of the run, so pruning is fast early (when the
// network can recover) and slow near the target. Masked weights stay zero between
// updates (the optimizer applies the masks) and a weight once pruned is never regrown.
// It starts from the trained model (gradual pruning while fine-tuning) or, with
// from_init, from the seed's initial weights (pruning while training from scratch).
#pragma once

#include <cstdint>

#include "methods/method.h"

namespace slim {

Method agp_method();

// s_t for t steps taken; t0 and t_end in steps.
double agp_sparsity(double initial, double final_sparsity, int64_t t, int64_t t0, int64_t t_end);

}  // namespace slim
