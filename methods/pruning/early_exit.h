// early_exit: run-time (input-dependent) pruning. A small classifier head is attached
// after an early layer and trained on the frozen backbone's features; at run time an
// input whose head is confident enough (max softmax >= threshold) skips the rest of the
// network. Easy inputs then cost the stem and the head only, so the average latency falls
// with the fraction of inputs that exit, at some cost in accuracy.
//
// The method only rewrites the graph (methods/pruning/early_exit_graph.h) and trains the
// head: the plain model still returns its original logits. The harness measures the
// accuracy / average-latency curve over thresholds with harness/early_exit_runner.h
// (metric "early_exit"). Teerapittayanon et al. 2016 (BranchyNet) is the idea, with the
// backbone kept fixed as in a deployed-model retrofit.
#pragma once

#include "methods/method.h"

namespace slim {

Method early_exit_method();

}  // namespace slim
