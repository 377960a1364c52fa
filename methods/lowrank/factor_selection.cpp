#include "methods/lowrank/factor_selection.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace slim {
namespace {

std::string_view trim_blanks(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> nodes_of_kind(const Model& model, std::string_view kind) {
  std::vector<std::string> names;
  for (const Node& node : model.nodes()) {
    if (node.layer->kind() == kind) names.push_back(node.name);
  }
  return names;
}

bool is_listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::vector<std::string> parse_node_list(std::string_view text, std::string_view method) {
  std::vector<std::string> names;
  if (trim_blanks(text).empty()) return names;
  for (size_t start = 0; start <= text.size();) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item(trim_blanks(text.substr(start, comma - start)));
    if (item.empty()) {
      fail("{}: layers '{}' has an empty item; expected node names separated by commas", method,
           text);
    }
    if (is_listed(names, item)) fail("{}: layers '{}' names '{}' twice", method, text, item);
    names.push_back(item);
    start = comma + 1;
  }
  return names;
}

FactorSelection select_factor_nodes(const Model& model, std::string_view layers,
                                    std::string_view kind, const DefaultFilter& default_filter,
                                    std::string_view method) {
  FactorSelection selection;
  const std::vector<std::string> listed = parse_node_list(layers, method);
  const std::vector<std::string> candidates = nodes_of_kind(model, kind);
  for (const std::string& name : listed) {
    if (!is_listed(candidates, name)) {
      fail("{}: '{}' is not a {} node of model {}; valid choices: {}", method, name, kind,
           model.architecture(), fmt::join(candidates, ", "));
    }
  }
  for (const Node& node : model.nodes()) {
    if (node.layer->kind() != kind) continue;
    if (!listed.empty()) {
      if (is_listed(listed, node.name)) selection.nodes.push_back(node.name);
      continue;
    }
    if (std::optional<std::string> reason = default_filter(node)) {
      selection.excluded.push_back({node.name, std::move(*reason)});
    } else {
      selection.nodes.push_back(node.name);
    }
  }
  return selection;
}

void refuse_masked_or_encoded(const Model& model, const std::vector<std::string>& nodes,
                              std::string_view method) {
  for (const std::string& name : nodes) {
    Layer& layer = *model.nodes()[static_cast<size_t>(model.node_index(name))].layer;
    for (const auto& [local, parameter] : layer.parameters()) {
      if (parameter->storage) {
        fail(
            "{}: parameter '{}.{}' is already encoded ({}); low-rank factors are new FP32 "
            "weights, so put {} before quantization in the pipeline",
            method, name, local, parameter->storage->describe().dump(), method);
      }
      if (parameter->has_mask()) {
        fail(
            "{}: parameter '{}.{}' is pruned (it has a mask); its dense factors would drop the "
            "sparsity, so put {} before pruning or leave '{}' out of layers",
            method, name, local, method, name);
      }
    }
  }
}

}  // namespace slim
