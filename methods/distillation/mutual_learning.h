// mutual_learning: online distillation by deep mutual learning (Zhang et al. 2018). The
// job's model and a peer train together from the job's seed, each on cross-entropy plus
// α·T²·KL towards the other's current predictions (mutual_peer.h); the job keeps its model.
//
// Parameters: peer ("self": a fresh copy of the job's architecture, or a zoo model),
// temperature (default 1, as in the paper), alpha (default 1), init (scratch | trained),
// epochs (0: the baseline's), lr_scale. The peer starts from its own init stream of the
// job's seed. Report (context.report["mutual_learning"]): peer, peer_architecture,
// temperature, alpha, init, epochs, lr, final_train_loss, final_train_accuracy,
// peer_final_train_loss, peer_final_train_accuracy, peer_test_accuracy.
#pragma once

#include "methods/method.h"

namespace slim {

Method mutual_learning_method();

}  // namespace slim
