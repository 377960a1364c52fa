// l1_prune: train with an L1 penalty lambda * sum |w| on the selected weights, then prune
// to `sparsity` by magnitude (prune_to_sparsity, global or layer-wise) and optionally
// fine-tune with the masks.
//
// The penalty is applied as the proximal (soft-threshold) step of proximal gradient
// descent, after each optimizer step:
//   w <- sign(w) * max(|w| - lr_t * lambda, 0)
// with lr_t the learning rate the optimizer used at that step (the recipe's schedule,
// recomputed at the same step). Two reasons for this form rather than adding
// lambda * sign(w) to the gradient:
//  * TrainHooks offers no pre-step hook; after_step is where a method can act.
//  * The subgradient lambda * sign(w) makes small weights oscillate around zero and
//    never reach it, so thresholding them afterwards is arbitrary; the proximal step
//    sets every weight that the penalty would push across zero to exactly 0, so the L1
//    phase alone produces real zeros (reported as l1_zero_fraction).
// The step comes on top of SGD with momentum and the baseline's weight decay (an L2
// term), so the phase trains an elastic-net-like objective. The momentum buffers never
// see the penalty: with momentum this is a heuristic, not exact proximal gradient.
#pragma once

#include <span>

#include "methods/method.h"

namespace slim {

// The proximal operator of threshold * |w|, in place; threshold >= 0. Weights it sends
// to zero become +0.0.
void soft_threshold(std::span<float> values, float threshold);

Method l1_prune_method();

}  // namespace slim
