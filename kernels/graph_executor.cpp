#include "kernels/graph_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "kernels/ops/conv2d_op.h"
#include "kernels/ops/op_table.h"

namespace slim {
namespace {

struct Step {
  std::string name;  // the model node's, for error messages
  std::unique_ptr<Op> op;
  std::vector<int> inputs;  // producer steps; -1 is the model input
};

class GraphExecutor final : public Executable {
 public:
  GraphExecutor(Shape sample_shape, std::vector<Step> steps)
      : sample_shape_(std::move(sample_shape)),
        steps_(std::move(steps)),
        activations_(steps_.size()) {}

  const Tensor& run(const Tensor& input) override {
    check_batch_shape(sample_shape_, input);
    for (size_t i = 0; i < steps_.size(); ++i) {
      // args_ keeps its capacity, so steady-state runs allocate nothing here.
      args_.clear();
      for (int producer : steps_[i].inputs) {
        args_.push_back(producer < 0 ? &input : &activations_[static_cast<size_t>(producer)]);
      }
      steps_[i].op->run(args_, activations_[i]);
    }
    return activations_.back();
  }

 private:
  Shape sample_shape_;
  std::vector<Step> steps_;
  std::vector<Tensor> activations_;
  std::vector<const Tensor*> args_;
};

// A node whose work another step does: its buffer stays empty and its readers are sent
// to that step's (lower_graph redirects them).
class FusedAwayOp final : public Op {
 public:
  void run(std::span<const Tensor* const> /*inputs*/, Tensor& /*output*/) override {}
};

Step lower_node(const Node& node, std::string_view backend, GemmFunction gemm) {
  const std::string kind = node.layer->kind();
  const OpFactory make_op = find_op_factory(kind);
  if (!make_op) {
    fail("backend '{}' cannot run node '{}' (layer kind '{}')", backend, node.name, kind);
  }
  return {node.name, make_op(*node.layer, gemm), node.inputs};
}

}  // namespace

std::vector<std::pair<int, int>> fusable_conv_relu_pairs(const Model& model) {
  const std::vector<Node>& nodes = model.nodes();
  std::vector<int> readers(nodes.size(), 0);
  for (const Node& node : nodes) {
    for (const int producer : node.inputs) {
      if (producer >= 0) ++readers[static_cast<size_t>(producer)];
    }
  }
  std::vector<std::pair<int, int>> pairs;
  for (size_t j = 0; j + 1 < nodes.size(); ++j) {  // the last node is the model's output
    const Node& relu = nodes[j];
    if (relu.layer->kind() != "relu" || relu.inputs.size() != 1 || relu.inputs[0] < 0) continue;
    const auto conv = static_cast<size_t>(relu.inputs[0]);
    if (nodes[conv].layer->kind() == "conv2d" && readers[conv] == 1) {
      pairs.emplace_back(static_cast<int>(conv), static_cast<int>(j));
    }
  }
  return pairs;
}

std::unique_ptr<Executable> lower_graph(const Model& model, std::string_view backend,
                                        GemmFunction gemm, GraphOptions options) {
  if (model.nodes().empty()) {
    fail("backend '{}' cannot run model {}: it has no layers", backend, model.architecture());
  }
  std::vector<Step> steps;
  steps.reserve(model.nodes().size());
  for (const Node& node : model.nodes()) steps.push_back(lower_node(node, backend, gemm));
  if (options.fuse_conv_relu) {
    std::vector<int> redirect(steps.size());
    for (size_t i = 0; i < redirect.size(); ++i) redirect[i] = static_cast<int>(i);
    for (const auto& [conv, relu] : fusable_conv_relu_pairs(model)) {
      auto* conv_op = dynamic_cast<Conv2dOp*>(steps[static_cast<size_t>(conv)].op.get());
      if (conv_op == nullptr) continue;  // a conv2d the table lowered to another op
      conv_op->fuse_relu();
      Step& fused = steps[static_cast<size_t>(relu)];
      fused.op = std::make_unique<FusedAwayOp>();
      fused.inputs.clear();
      redirect[static_cast<size_t>(relu)] = conv;
    }
    for (Step& step : steps) {
      for (int& producer : step.inputs) {
        if (producer >= 0) producer = redirect[static_cast<size_t>(producer)];
      }
    }
  }
  return std::make_unique<GraphExecutor>(model.sample_shape(), std::move(steps));
}

}  // namespace slim
