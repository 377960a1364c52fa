// Factored graph: each selected node replaced by a chain of ordinary layers.
//
// A low-rank method turns one Linear or Conv2d into two or three plain Linear/Conv2d
// nodes applied in sequence. The chain's first node reads what the original read; its
// last node keeps the original name, so consumers, later pipeline steps and reports that
// address the node by name (a BatchNorm after a conv, keep_first_last_fp32, a pruning
// report) still find it. The nodes in front are named "<node>.<role>", e.g. "fc1.svd_in".
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/layer.h"
#include "core/model.h"

namespace slim {

struct FactorLink {
  std::string name;
  std::unique_ptr<Layer> layer;
};

// Applied in order; the last link's name is the replaced node's.
using FactorChain = std::vector<FactorLink>;

// "<node>.<role>": the name of a link in front of the node's last one.
std::string factor_node_name(std::string_view node, std::string_view role);

// A copy of `model` where every node named in `chains` is replaced by its chain. Throws a
// UserError (prefixed by `method`) when a link's name is already taken by another node,
// as when the same factorization is applied twice; a chain whose last link is not named
// after its node, or a key that names no node, is a std::logic_error.
Model replace_with_chains(const Model& model, std::map<std::string, FactorChain> chains,
                          std::string_view method);

// Weights and biases a layer holds.
int64_t layer_parameter_count(Layer& layer);
int64_t chain_parameter_count(const FactorChain& chain);

}  // namespace slim
