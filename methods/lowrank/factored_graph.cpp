#include "methods/lowrank/factored_graph.h"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

#include "core/error.h"
#include "core/graph_rewriter.h"

namespace slim {
namespace {

void check_chain(const Model& model, const std::string& node, const FactorChain& chain,
                 std::string_view method) {
  model.node_index(node);  // a UserError listing the nodes if absent
  if (chain.empty() || chain.back().name != node) {
    throw std::logic_error(
        fmt::format("{}: the factor chain of '{}' must end in a node of that name", method, node));
  }
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    for (const Node& existing : model.nodes()) {
      if (existing.name == chain[i].name) {
        fail(
            "{}: cannot add node '{}' for '{}': the model already has a node of that name "
            "(was '{}' factored by {} before?)",
            method, chain[i].name, node, node, method);
      }
    }
  }
}

void emit_chain(GraphRewriter& rewriter, int index, FactorChain chain) {
  std::vector<std::string> inputs = rewriter.target_inputs(index);
  std::string last;
  for (FactorLink& link : chain) {
    last = rewriter.add(std::move(link.name), std::move(link.layer), std::move(inputs));
    inputs = {last};
  }
  rewriter.alias(index, last);
}

}  // namespace

std::string factor_node_name(std::string_view node, std::string_view role) {
  return fmt::format("{}.{}", node, role);
}

Model replace_with_chains(const Model& model, std::map<std::string, FactorChain> chains,
                          std::string_view method) {
  for (const auto& [node, chain] : chains) check_chain(model, node, chain, method);
  GraphRewriter rewriter(model);
  const std::vector<Node>& nodes = model.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    const int index = static_cast<int>(i);
    auto found = chains.find(nodes[i].name);
    if (found == chains.end()) {
      rewriter.copy(index);
    } else {
      emit_chain(rewriter, index, std::move(found->second));
    }
  }
  return std::move(rewriter).finish();
}

int64_t layer_parameter_count(Layer& layer) {
  int64_t count = 0;
  for (const auto& [name, parameter] : layer.parameters()) count += parameter->value.numel();
  return count;
}

int64_t chain_parameter_count(const FactorChain& chain) {
  int64_t count = 0;
  for (const FactorLink& link : chain) count += layer_parameter_count(*link.layer);
  return count;
}

}  // namespace slim
