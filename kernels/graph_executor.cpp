#include "kernels/graph_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
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

Step lower_node(const Node& node, std::string_view backend, GemmFunction gemm) {
  const std::string kind = node.layer->kind();
  const OpFactory make_op = find_op_factory(kind);
  if (!make_op) {
    fail("backend '{}' cannot run node '{}' (layer kind '{}')", backend, node.name, kind);
  }
  return {node.name, make_op(*node.layer, gemm), node.inputs};
}

}  // namespace

std::unique_ptr<Executable> lower_graph(const Model& model, std::string_view backend,
                                        GemmFunction gemm) {
  if (model.nodes().empty()) {
    fail("backend '{}' cannot run model {}: it has no layers", backend, model.architecture());
  }
  std::vector<Step> steps;
  steps.reserve(model.nodes().size());
  for (const Node& node : model.nodes()) steps.push_back(lower_node(node, backend, gemm));
  return std::make_unique<GraphExecutor>(model.sample_shape(), std::move(steps));
}

}  // namespace slim
