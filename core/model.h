// Model: a named graph of layers, executed in insertion (topological) order.
//
// Every node has a unique name and reads the outputs of earlier nodes (or the model
// input, spelled "input"); the last node is the output. Parameters are addressed as
// "<node>.<local>", e.g. "conv2.weight", the names PyTorch would give. Compression
// methods walk nodes() in order, swap a node's layer with replace_layer() (a factored,
// quantized or thinner variant) and find who reads a node with consumers(). Channels
// are removed in place with Conv2d/Linear/BatchNorm::keep_* (core/channel_slice.h).
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/layer.h"

namespace slim {

inline constexpr std::string_view kModelInput = "input";

struct Node {
  std::string name;
  std::unique_ptr<Layer> layer;
  std::vector<int> inputs;  // indices of producer nodes; -1 is the model input
};

class Model {
 public:
  // `sample_shape` excludes the batch dimension, e.g. {1, 28, 28}.
  Model(std::string architecture, Shape sample_shape, int num_classes);
  Model(const Model& other);
  Model& operator=(const Model& other);
  Model(Model&&) noexcept = default;
  Model& operator=(Model&&) noexcept = default;

  // Appends a node. With no inputs given it reads the previous node (or the model
  // input for the first node). Returns the node's name for chaining.
  const std::string& add(std::string name, std::unique_ptr<Layer> layer,
                         std::vector<std::string> inputs = {});

  const std::string& architecture() const { return architecture_; }
  const Shape& sample_shape() const { return sample_shape_; }
  int num_classes() const { return num_classes_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  int node_index(std::string_view name) const;  // throws UserError listing names
  Layer& layer(std::string_view name) { return *nodes_[node_index(name)].layer; }
  const Layer& layer(std::string_view name) const { return *nodes_[node_index(name)].layer; }
  void replace_layer(std::string_view name, std::unique_ptr<Layer> layer);
  std::vector<std::string> consumers(std::string_view name) const;

  // Forward over a batch; returns the output node's activation (kept until the next
  // forward). backward() then propagates dL/d(output) through the graph.
  const Tensor& forward(const Tensor& input, const ForwardContext& context);
  // The output of node `index` from the last forward() (calibration observes these).
  const Tensor& activation(int index) const { return activations_.at(static_cast<size_t>(index)); }
  void backward(const Tensor& grad_output);
  // The same, with dL/d(activation) of intermediate nodes added too: each pair is a node
  // index and a gradient of that node's activation shape (feature distillation pulls a
  // hidden layer's output towards a teacher's). Equal to backward(grad_output) for the
  // loss L + sum_k <g_k, activation(k)>.
  void backward(const Tensor& grad_output,
                std::span<const std::pair<int, const Tensor*>> extra_output_grads);

  std::vector<Named<Parameter>> parameters();
  Parameter& parameter(std::string_view full_name);  // throws UserError listing names
  std::vector<Named<Tensor>> buffers();
  void zero_grad();
  int64_t parameter_count();
  int64_t macs_per_sample() const;                        // MACs of one forward of a single sample
  std::vector<Shape> output_shapes(int64_t batch) const;  // per node

  // The graph as JSON (architecture, nodes with kind/config/inputs), so checkpoints
  // can rebuild models whose layers a compression method has replaced.
  nlohmann::json describe() const;

 private:
  Shape batched_input_shape(int64_t batch) const;

  std::string architecture_;
  Shape sample_shape_;
  int num_classes_;
  std::vector<Node> nodes_;
  std::map<std::string, int, std::less<>> index_;
  const Tensor* input_ = nullptr;
  std::vector<Tensor> activations_;
  std::vector<Tensor> grads_;
  std::vector<Tensor> scratch_grads_;
};

}  // namespace slim
