#include "core/graph_rewriter.h"

#include <stdexcept>
#include <utility>

namespace slim {

GraphRewriter::GraphRewriter(const Model& source)
    : source_(source),
      target_(source.architecture(), source.sample_shape(), source.num_classes()),
      aliases_(source.nodes().size()) {}

const std::string& GraphRewriter::target_of(int index) const {
  static const std::string input_name(kModelInput);
  if (index < 0) return input_name;
  const std::string& name = aliases_.at(static_cast<size_t>(index));
  if (name.empty()) {
    throw std::logic_error("graph rewrite: node '" + source_.nodes()[index].name +
                           "' is read before it was emitted");
  }
  return name;
}

std::vector<std::string> GraphRewriter::target_inputs(int index) const {
  std::vector<std::string> names;
  for (int producer : source_.nodes().at(static_cast<size_t>(index)).inputs) {
    names.push_back(target_of(producer));
  }
  return names;
}

std::string GraphRewriter::copy(int index) {
  const Node& node = source_.nodes().at(static_cast<size_t>(index));
  std::string name = add(node.name, node.layer->clone(), target_inputs(index));
  alias(index, name);
  return name;
}

std::string GraphRewriter::add(std::string name, std::unique_ptr<Layer> layer,
                               std::vector<std::string> inputs) {
  return target_.add(std::move(name), std::move(layer), std::move(inputs));
}

void GraphRewriter::alias(int index, const std::string& target_name) {
  aliases_.at(static_cast<size_t>(index)) = target_name;
}

Model GraphRewriter::finish() && {
  return std::move(target_);
}

std::vector<int> consumer_indices(const Model& model, int index) {
  std::vector<int> consumers;
  const auto& nodes = model.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (int producer : nodes[i].inputs) {
      if (producer == index) {
        consumers.push_back(static_cast<int>(i));
        break;
      }
    }
  }
  return consumers;
}

}  // namespace slim
