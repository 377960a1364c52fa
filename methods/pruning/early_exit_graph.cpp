#include "methods/pruning/early_exit_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

#include "core/error.h"
#include "core/graph_rewriter.h"
#include "core/layers/flatten.h"
#include "core/layers/linear.h"
#include "core/layers/pooling.h"
#include "core/subgraph.h"

namespace slim {
namespace {

bool is_exit_node(const Node& node) {
  return node.name.starts_with(kExitPrefix);
}

// The head's own nodes, for a cut activation of `shape` (batch excluded). Average pooling
// down to about 4x4 keeps the head's cost a small fraction of the rest of the network
// while keeping coarse spatial layout, which a global average would throw away.
void add_head(GraphRewriter& rewriter, const std::string& cut, const Shape& shape,
              int num_classes) {
  std::string x = cut;
  int64_t features = shape_numel(shape);
  if (shape.size() == 3) {
    const int64_t window = std::min(shape[1], shape[2]) / 4;
    Shape pooled = shape;
    if (window >= 2) {
      x = rewriter.add("exit.pool", std::make_unique<AvgPool2d>(PoolOptions{window, window, 0}),
                       {x});
      pooled[1] = shape[1] / window;
      pooled[2] = shape[2] / window;
    }
    x = rewriter.add("exit.flatten", std::make_unique<Flatten>(), {x});
    features = shape_numel(pooled);
  }
  rewriter.add("exit.fc", std::make_unique<Linear>(features, num_classes), {x});
}

Shape sample_output_shape(const Model& model, int index) {
  Shape shape = model.output_shapes(1).at(static_cast<size_t>(index));
  shape.erase(shape.begin());
  return shape;
}

}  // namespace

std::optional<EarlyExitGraph> find_early_exit(const Model& model) {
  const std::vector<Node>& nodes = model.nodes();
  EarlyExitGraph exit;
  std::vector<int> outside;  // producers of head nodes that are not head nodes
  for (const Node& node : nodes) {
    if (!is_exit_node(node)) continue;
    exit.head.push_back(node.name);
    for (int producer : node.inputs) {
      if (producer < 0 || !is_exit_node(nodes[static_cast<size_t>(producer)])) {
        outside.push_back(producer);
      }
    }
  }
  if (exit.head.empty()) return std::nullopt;
  if (outside.size() != 1 || outside[0] < 0 || is_exit_node(nodes.back())) {
    throw std::logic_error(fmt::format(
        "model {}: its exit nodes do not form one head reading one node before the output",
        model.architecture()));
  }
  exit.cut = nodes[static_cast<size_t>(outside[0])].name;
  exit.output = nodes.back().name;
  return exit;
}

std::vector<std::string> exit_points(const Model& model) {
  std::vector<std::string> points;
  const std::vector<Node>& nodes = model.nodes();
  for (size_t i = 0; i + 1 < nodes.size(); ++i) {
    if (is_exit_node(nodes[i])) continue;
    try {
      slice_model(model, nodes[i].name, nodes.back().name);
      points.push_back(nodes[i].name);
    } catch (const UserError&) {
      // A skip connection crosses this node: no single activation to exit from.
    }
  }
  return points;
}

std::string default_exit_point(std::string_view architecture) {
  // After the first stage: early enough to save most of the work, late enough that a
  // linear head on its features separates the easy inputs.
  static const std::map<std::string, std::string, std::less<>> defaults = {
      {"lenet-5", "pool1"},  {"resnet-8", "layer1.relu2"}, {"lenet-300-100", "relu1"},
      {"mlp-1200", "relu1"}, {"mlp-800", "relu1"},
  };
  const auto it = defaults.find(architecture);
  return it == defaults.end() ? std::string() : it->second;
}

Model with_exit_head(const Model& model, const std::string& after) {
  if (find_early_exit(model)) {
    fail("model {} already has an early exit (nodes named '{}*')", model.architecture(),
         kExitPrefix);
  }
  const std::vector<std::string> points = exit_points(model);
  if (std::find(points.begin(), points.end(), after) == points.end()) {
    fail("early_exit: cannot place an exit after '{}' in model {}; valid choices: {}", after,
         model.architecture(), fmt::join(points, ", "));
  }
  const int cut = model.node_index(after);
  GraphRewriter rewriter(model);
  for (int i = 0; i < static_cast<int>(model.nodes().size()); ++i) {
    rewriter.copy(i);
    if (i == cut) add_head(rewriter, after, sample_output_shape(model, cut), model.num_classes());
  }
  return std::move(rewriter).finish();
}

EarlyExitParts split_early_exit(const Model& model, const EarlyExitGraph& exit) {
  return EarlyExitParts{slice_model(model, kModelInput, exit.cut),
                        slice_model(model, exit.cut, exit.head.back()),
                        slice_model(model, exit.cut, exit.output)};
}

Model without_exit_head(const Model& model, const EarlyExitGraph& exit) {
  return slice_model(model, kModelInput, exit.output);
}

}  // namespace slim
