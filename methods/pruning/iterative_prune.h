// iterative_prune: Han et al. 2015's prune -> retrain loop. Each of `iterations` rounds
// prunes the surviving weights further and fine-tunes at lr_scale (1/10 of the
// baseline's rate, as in the paper). The kept fraction shrinks geometrically, so every
// round removes the same share of what is left:
//   sparsity after round i of n = 1 - (1 - target)^(i / n).
// The record gets the per-layer kept fractions (the paper's Table 1 comparison) and each
// round's sparsity and test accuracy (reported only; nothing is chosen on the test set).
#pragma once

#include "methods/method.h"

namespace slim {

Method iterative_prune_method();

// The weight sparsity after round `round` (1-based) of `rounds`, reaching `target`.
double iterative_sparsity(double target, int round, int rounds);

}  // namespace slim
