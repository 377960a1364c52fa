// GraphRewriter: builds a new Model from an existing one, node by node.
//
// Graph rewrites (BN folding, quantization, structured surgery) emit a target graph
// while walking the source in topological order. Each source node's output is known in
// the target under some name: its own copy, a node that absorbed it (a conv that a BN
// was folded into, a quantized layer that fused a ReLU), or a node inserted after it. The
// rewriter keeps that alias table, so a rewrite only says what each node becomes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/model.h"

namespace slim {

class GraphRewriter {
 public:
  explicit GraphRewriter(const Model& source);

  const Model& source() const { return source_; }
  // The target name holding source node `index`'s output ("input" for -1). Throws
  // std::logic_error when that node has not been emitted or aliased yet.
  const std::string& target_of(int index) const;
  // Target names of source node `index`'s inputs.
  std::vector<std::string> target_inputs(int index) const;

  // Emits a copy of source node `index` (cloned layer), reading its inputs' targets.
  std::string copy(int index);
  // Emits a new node in the target graph; returns its name.
  std::string add(std::string name, std::unique_ptr<Layer> layer, std::vector<std::string> inputs);
  // From now on, source node `index`'s output is `target_name` (the node was fused into
  // another, removed as an identity, or is followed by an inserted node).
  void alias(int index, const std::string& target_name);

  Model finish() &&;

 private:
  const Model& source_;
  Model target_;
  std::vector<std::string> aliases_;  // per source node; empty until emitted
};

// Source nodes that read node `index`'s output.
std::vector<int> consumer_indices(const Model& model, int index);

}  // namespace slim
