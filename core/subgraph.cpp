#include "core/subgraph.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "core/error.h"

namespace slim {
namespace {

int index_of(const Model& model, std::string_view name) {
  return name == kModelInput ? -1 : model.node_index(name);
}

std::string name_of(const Model& model, int index) {
  return index < 0 ? std::string(kModelInput) : model.nodes()[static_cast<size_t>(index)].name;
}

// Nodes in (from, to] that `to` depends on, by a backward walk over the producers.
// A producer at or before the cut other than `from` itself means the cut is not clean.
std::vector<bool> needed_nodes(const Model& model, int from, int to) {
  const std::vector<Node>& nodes = model.nodes();
  std::vector<bool> needed(nodes.size(), false);
  needed[static_cast<size_t>(to)] = true;
  for (int i = to; i > from; --i) {
    if (!needed[static_cast<size_t>(i)]) continue;
    for (int producer : nodes[static_cast<size_t>(i)].inputs) {
      if (producer == from) continue;
      if (producer < from) {
        fail("cannot cut model {} after '{}': node '{}' reads '{}', which lies before the cut",
             model.architecture(), name_of(model, from), nodes[static_cast<size_t>(i)].name,
             name_of(model, producer));
      }
      needed[static_cast<size_t>(producer)] = true;
    }
  }
  return needed;
}

Shape sample_shape_after(const Model& model, int from) {
  if (from < 0) return model.sample_shape();
  Shape shape = model.output_shapes(1).at(static_cast<size_t>(from));
  shape.erase(shape.begin());  // the batch dimension
  return shape;
}

}  // namespace

Model slice_model(const Model& model, std::string_view from, std::string_view to) {
  const int first = index_of(model, from);
  const int last = model.node_index(to);
  if (last <= first) {
    fail("cannot slice model {} from '{}' to '{}': '{}' does not come after '{}'",
         model.architecture(), from, to, to, from);
  }
  const std::vector<bool> needed = needed_nodes(model, first, last);
  Model slice(fmt::format("{}[{}:{}]", model.architecture(), from, to),
              sample_shape_after(model, first), model.num_classes());
  for (int i = first + 1; i <= last; ++i) {
    if (!needed[static_cast<size_t>(i)]) continue;
    const Node& node = model.nodes()[static_cast<size_t>(i)];
    std::vector<std::string> inputs;
    for (int producer : node.inputs) {
      inputs.push_back(producer == first ? std::string(kModelInput) : name_of(model, producer));
    }
    slice.add(node.name, node.layer->clone(), std::move(inputs));
  }
  return slice;
}

}  // namespace slim
