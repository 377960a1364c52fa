// prune: one-shot unstructured pruning of a trained model (magnitude, gradient or
// random importance; global or layer-wise threshold). Fine-tuning is a separate
// pipeline step (`finetune`, whose default lr_scale 0.1 is Han et al.'s retraining rate),
// so "prune then fine-tune" and "prune only" are both one sweep line away.
//
// nm_prune: N:M semi-structured pruning (2:4 by default) by magnitude or gradient.
#pragma once

#include "methods/method.h"

namespace slim {

Method prune_method();
Method nm_prune_method();

}  // namespace slim
