#include "kernels/graph_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/layers/pooling.h"
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

bool is_unpadded_2x2_max_pool(const Node& node) {
  const auto* pool = dynamic_cast<const MaxPool2d*>(node.layer.get());
  if (pool == nullptr || node.inputs.size() != 1) return false;
  const PoolOptions& o = pool->options();
  return o.kernel_size == 2 && o.stride == 2 && o.padding == 0;
}

// A node whose work another step does: its buffer stays empty and its readers are sent
// to that step's (lower_graph redirects them).
class FusedAwayOp final : public Op {
 public:
  void run(std::span<const Tensor* const> /*inputs*/, Tensor& /*output*/) override {}
};

// Applies fusable_conv_chains(): the convolution's op takes over the fused nodes' work,
// they become FusedAwayOp, and their readers read the convolution's output instead.
void fuse_conv_chains(const Model& model, std::vector<Step>& steps) {
  std::vector<int> redirect(steps.size());
  for (size_t i = 0; i < redirect.size(); ++i) redirect[i] = static_cast<int>(i);
  auto fuse_away = [&](int node, int conv) {
    Step& step = steps[static_cast<size_t>(node)];
    step.op = std::make_unique<FusedAwayOp>();
    step.inputs.clear();
    redirect[static_cast<size_t>(node)] = conv;
  };
  for (const ConvChain& chain : fusable_conv_chains(model)) {
    auto* conv = dynamic_cast<Conv2dOp*>(steps[static_cast<size_t>(chain.conv)].op.get());
    if (conv == nullptr) continue;  // a conv2d the table lowered to another op
    if (chain.relu >= 0) {
      conv->fuse_relu();
      fuse_away(chain.relu, chain.conv);
    }
    if (chain.pool >= 0) {
      conv->fuse_max_pool_2x2();
      fuse_away(chain.pool, chain.conv);
    }
  }
  for (Step& step : steps) {
    for (int& producer : step.inputs) {
      if (producer >= 0) producer = redirect[static_cast<size_t>(producer)];
    }
  }
}

Step lower_node(const Node& node, std::string_view backend, GemmFunction gemm) {
  const std::string kind = node.layer->kind();
  const OpFactory make_op = find_op_factory(kind);
  if (!make_op) {
    fail("backend '{}' cannot run node '{}' (layer kind '{}')", backend, node.name, kind);
  }
  return {node.name, make_op(*node.layer, gemm), node.inputs};
}

}  // namespace

std::vector<ConvChain> fusable_conv_chains(const Model& model, std::string_view conv_kind) {
  const std::vector<Node>& nodes = model.nodes();
  const int count = static_cast<int>(nodes.size());
  // Each node's number of readers, and its reader when it has exactly one.
  std::vector<int> readers(nodes.size(), 0), reader(nodes.size(), -1);
  for (int j = 0; j < count; ++j) {
    for (const int producer : nodes[static_cast<size_t>(j)].inputs) {
      if (producer < 0) continue;
      ++readers[static_cast<size_t>(producer)];
      reader[static_cast<size_t>(producer)] = j;
    }
  }
  // The node that alone reads `node` when it may be fused away (not the model's output).
  auto only_reader = [&](int node) {
    const int r = reader[static_cast<size_t>(node)];
    return readers[static_cast<size_t>(node)] == 1 && r + 1 < count ? r : -1;
  };
  const std::vector<Shape> shapes = model.output_shapes(1);
  std::vector<ConvChain> chains;
  for (int i = 0; i < count; ++i) {
    if (nodes[static_cast<size_t>(i)].layer->kind() != conv_kind) continue;
    ConvChain chain{i};
    int tail = i;
    if (const int r = only_reader(tail);
        r >= 0 && nodes[static_cast<size_t>(r)].layer->kind() == "relu") {
      chain.relu = tail = r;
    }
    const Shape& out = shapes[static_cast<size_t>(i)];  // [1, O, OH, OW]
    if (const int r = only_reader(tail); r >= 0 &&
                                         is_unpadded_2x2_max_pool(nodes[static_cast<size_t>(r)]) &&
                                         out.size() == 4 && out[2] >= 2 && out[3] >= 2) {
      chain.pool = r;
    }
    if (chain.relu >= 0 || chain.pool >= 0) chains.push_back(chain);
  }
  return chains;
}

std::unique_ptr<Executable> lower_graph(const Model& model, std::string_view backend,
                                        GemmFunction gemm, GraphOptions options) {
  if (model.nodes().empty()) {
    fail("backend '{}' cannot run model {}: it has no layers", backend, model.architecture());
  }
  std::vector<Step> steps;
  steps.reserve(model.nodes().size());
  for (const Node& node : model.nodes()) steps.push_back(lower_node(node, backend, gemm));
  if (options.fuse_conv_chains) fuse_conv_chains(model, steps);
  return std::make_unique<GraphExecutor>(model.sample_shape(), std::move(steps));
}

}  // namespace slim
