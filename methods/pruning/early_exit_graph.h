// The graph form of an early exit: a small classifier head ("exit.*" nodes) that reads an
// intermediate activation (the cut) and is a dead end of the graph.
//
// The Model's output is its last node, so the head is inserted right after the cut and
// the original classifier stays last: a plain forward still returns the original logits
// (the head is computed and ignored; only the early-exit runner skips work with it). The
// model itself marks the exit: find_early_exit() recognises it from the node names alone,
// so a model reloaded from a checkpoint keeps its exit.
//
// split_early_exit() cuts such a model into the three sub-models (core/subgraph.h) that
// input-dependent execution runs: stem (input -> cut), head (cut -> exit logits) and rest
// (cut -> final logits).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace slim {

inline constexpr std::string_view kExitPrefix = "exit.";

struct EarlyExitGraph {
  std::string cut;                // the node the head reads
  std::vector<std::string> head;  // the exit nodes, in order; the last gives the exit logits
  std::string output;             // the model's final node (the full classifier)
};

// The exit of `model`, or nullopt when it has no "exit." nodes. Throws std::logic_error
// when exit nodes exist but do not form one head reading one cut node.
std::optional<EarlyExitGraph> find_early_exit(const Model& model);

// Nodes where a head can go: every non-final node after which the rest of the model
// reads nothing but that node's output (so not inside a residual block).
std::vector<std::string> exit_points(const Model& model);
// The zoo's choice for an architecture, or "" when there is none.
std::string default_exit_point(std::string_view architecture);

// A copy of `model` with an untrained head (pool to at most about 4x4, flatten, linear to
// num_classes) reading `after`. Throws UserError when `after` is not in exit_points().
Model with_exit_head(const Model& model, const std::string& after);

struct EarlyExitParts {
  Model stem;  // input -> cut activation
  Model head;  // cut activation -> exit logits
  Model rest;  // cut activation -> final logits
};
EarlyExitParts split_early_exit(const Model& model, const EarlyExitGraph& exit);
// The model as it was before the head was added (input -> final logits, no exit nodes).
Model without_exit_head(const Model& model, const EarlyExitGraph& exit);

}  // namespace slim
