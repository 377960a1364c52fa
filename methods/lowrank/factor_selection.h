// Which nodes a low-rank method factors, and the inputs it refuses.
//
// "layers" is a comma-separated list of node names (the sweep format expands JSON lists
// into grids, so one setting's list is a string). Empty selects the method's default
// set: the nodes of its kind that its default filter accepts; the others of that kind are
// reported with the filter's reason, so nothing is left dense without a word.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace slim {

struct ExcludedNode {
  std::string node;
  std::string reason;
};

struct FactorSelection {
  std::vector<std::string> nodes;  // in graph order
  std::vector<ExcludedNode> excluded;
};

// Why the default selection leaves a node of the right kind out; nullopt selects it.
using DefaultFilter = std::function<std::optional<std::string>(const Node& node)>;

// The names in a comma-separated list, trimmed; empty items and repeats are UserErrors.
std::vector<std::string> parse_node_list(std::string_view text, std::string_view method);

// Nodes whose layer kind() is `kind` ("linear", "conv2d"). With an empty `layers`, those
// `default_filter` accepts; otherwise exactly the listed ones, each of which must be a node
// of that kind (a UserError lists the valid names).
FactorSelection select_factor_nodes(const Model& model, std::string_view layers,
                                    std::string_view kind, const DefaultFilter& default_filter,
                                    std::string_view method);

// A UserError when a selected node's parameter is pruned (has a mask: the dense factors
// would drop the sparsity) or encoded (has a storage: quantized codes would be decoded
// into a layer that no longer matches them). Either way the fix is the pipeline order.
void refuse_masked_or_encoded(const Model& model, const std::vector<std::string>& nodes,
                              std::string_view method);

}  // namespace slim
