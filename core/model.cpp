#include "core/model.h"

#include <fmt/format.h>

#include <stdexcept>

#include "core/error.h"

namespace slim {

Model::Model(std::string architecture, Shape sample_shape, int num_classes)
    : architecture_(std::move(architecture)),
      sample_shape_(std::move(sample_shape)),
      num_classes_(num_classes) {}

Model::Model(const Model& other)
    : architecture_(other.architecture_),
      sample_shape_(other.sample_shape_),
      num_classes_(other.num_classes_),
      index_(other.index_) {
  nodes_.reserve(other.nodes_.size());
  for (const Node& node : other.nodes_) {
    nodes_.push_back({node.name, node.layer->clone(), node.inputs});
  }
}

Model& Model::operator=(const Model& other) {
  if (this != &other) *this = Model(other);
  return *this;
}

const std::string& Model::add(std::string name, std::unique_ptr<Layer> layer,
                              std::vector<std::string> inputs) {
  if (name.empty() || name == kModelInput || index_.contains(name)) {
    throw std::logic_error(
        fmt::format("model {}: bad or duplicate node name '{}'", architecture_, name));
  }
  std::vector<int> producers;
  if (inputs.empty()) {
    producers.push_back(static_cast<int>(nodes_.size()) - 1);  // -1 for the first node
  }
  for (const std::string& input : inputs) {
    producers.push_back(input == kModelInput ? -1 : node_index(input));
  }
  if (static_cast<int>(producers.size()) != layer->arity()) {
    throw std::logic_error(fmt::format("model {}: node '{}' ({}) needs {} inputs", architecture_,
                                       name, layer->kind(), layer->arity()));
  }
  index_.emplace(name, static_cast<int>(nodes_.size()));
  nodes_.push_back({std::move(name), std::move(layer), std::move(producers)});
  return nodes_.back().name;
}

int Model::node_index(std::string_view name) const {
  if (auto it = index_.find(name); it != index_.end()) return it->second;
  std::vector<std::string> names;
  for (const Node& node : nodes_) names.push_back(node.name);
  fail("model {} has no layer '{}'; its layers are: {}", architecture_, name,
       fmt::join(names, ", "));
}

void Model::replace_layer(std::string_view name, std::unique_ptr<Layer> layer) {
  Node& node = nodes_[node_index(name)];
  if (layer->arity() != static_cast<int>(node.inputs.size())) {
    throw std::logic_error("replace_layer: the new layer takes a different number of inputs");
  }
  node.layer = std::move(layer);
}

std::vector<std::string> Model::consumers(std::string_view name) const {
  const int producer = node_index(name);
  std::vector<std::string> out;
  for (const Node& node : nodes_) {
    for (int input : node.inputs) {
      if (input == producer) {
        out.push_back(node.name);
        break;
      }
    }
  }
  return out;
}

const Tensor& Model::forward(const Tensor& input, const ForwardContext& context) {
  if (nodes_.empty()) throw std::logic_error("forward on an empty model");
  input_ = &input;
  activations_.resize(nodes_.size());
  std::vector<const Tensor*> args;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    args.clear();
    for (int producer : nodes_[i].inputs) {
      args.push_back(producer < 0 ? &input : &activations_[static_cast<size_t>(producer)]);
    }
    nodes_[i].layer->forward(args, activations_[i], context);
  }
  return activations_.back();
}

void Model::backward(const Tensor& grad_output) {
  backward(grad_output, {});
}

void Model::backward(const Tensor& grad_output,
                     std::span<const std::pair<int, const Tensor*>> extra_output_grads) {
  const size_t count = nodes_.size();
  grads_.resize(count);
  scratch_grads_.resize(2);
  std::vector<bool> has_grad(count, false);
  grads_.back() = grad_output;
  has_grad.back() = true;
  // Seeded before the reverse walk: every consumer of a node comes later in the graph,
  // so its contributions are summed onto the seed as usual.
  for (const auto& [index, grad] : extra_output_grads) {
    if (index < 0 || static_cast<size_t>(index) >= count ||
        !grad->same_shape(activations_.at(static_cast<size_t>(index)))) {
      throw std::logic_error(fmt::format("model {}: extra output gradient for node {} has shape {}",
                                         architecture_, index, shape_to_string(grad->shape())));
    }
    const auto node = static_cast<size_t>(index);
    if (has_grad[node]) {
      grads_[node].vector() += grad->vector();
    } else {
      grads_[node] = *grad;
      has_grad[node] = true;
    }
  }
  std::vector<Tensor*> outs;
  for (size_t i = count; i-- > 0;) {
    if (!has_grad[i]) continue;
    const Node& node = nodes_[i];
    outs.clear();
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      outs.push_back(node.inputs[k] < 0 ? nullptr : &scratch_grads_[k]);
    }
    node.layer->backward(grads_[i], outs);
    // Sum into the producers' gradients: a node read twice (a residual fork) gets both.
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      if (node.inputs[k] < 0) continue;
      const auto producer = static_cast<size_t>(node.inputs[k]);
      if (!has_grad[producer]) {
        std::swap(grads_[producer], scratch_grads_[k]);
        has_grad[producer] = true;
      } else {
        grads_[producer].vector() += scratch_grads_[k].vector();
      }
    }
  }
}

std::vector<Named<Parameter>> Model::parameters() {
  std::vector<Named<Parameter>> out;
  for (Node& node : nodes_) {
    for (auto& [local, param] : node.layer->parameters()) {
      out.emplace_back(node.name + "." + local, param);
    }
  }
  return out;
}

Parameter& Model::parameter(std::string_view full_name) {
  std::vector<std::string> names;
  for (auto& [name, param] : parameters()) {
    if (name == full_name) return *param;
    names.push_back(name);
  }
  fail("model {} has no parameter '{}'; its parameters are: {}", architecture_, full_name,
       fmt::join(names, ", "));
}

std::vector<Named<Tensor>> Model::buffers() {
  std::vector<Named<Tensor>> out;
  for (Node& node : nodes_) {
    for (auto& [local, buffer] : node.layer->buffers()) {
      out.emplace_back(node.name + "." + local, buffer);
    }
  }
  return out;
}

void Model::zero_grad() {
  for (auto& [name, param] : parameters()) {
    if (param->grad.empty())
      param->grad = Tensor(param->value.shape());
    else
      param->grad.zero();
  }
}

int64_t Model::parameter_count() {
  int64_t total = 0;
  for (auto& [name, param] : parameters()) total += param->value.numel();
  return total;
}

// Walks the graph once on shapes alone, calling visit(node, its input shapes) in order;
// returns every node's output shape.
template <typename Visit>
std::vector<Shape> walk_shapes(const std::vector<Node>& nodes, Shape input, Visit&& visit) {
  std::vector<Shape> shapes;
  shapes.reserve(nodes.size());
  std::vector<Shape> args;
  for (const Node& node : nodes) {
    args.clear();
    for (int producer : node.inputs) {
      args.push_back(producer < 0 ? input : shapes[static_cast<size_t>(producer)]);
    }
    visit(node, args);
    shapes.push_back(node.layer->output_shape(args));
  }
  return shapes;
}

Shape Model::batched_input_shape(int64_t batch) const {
  Shape input = sample_shape_;
  input.insert(input.begin(), batch);
  return input;
}

std::vector<Shape> Model::output_shapes(int64_t batch) const {
  return walk_shapes(nodes_, batched_input_shape(batch), [](const Node&, const auto&) {});
}

int64_t Model::macs_per_sample() const {
  int64_t total = 0;
  walk_shapes(nodes_, batched_input_shape(1),
              [&total](const Node& node, const std::vector<Shape>& args) {
                total += node.layer->macs(args);
              });
  return total;
}

nlohmann::json Model::describe() const {
  nlohmann::json nodes = nlohmann::json::array();
  for (const Node& node : nodes_) {
    nlohmann::json inputs = nlohmann::json::array();
    for (int producer : node.inputs) {
      inputs.push_back(producer < 0 ? std::string(kModelInput)
                                    : nodes_[static_cast<size_t>(producer)].name);
    }
    nodes.push_back({{"name", node.name},
                     {"kind", node.layer->kind()},
                     {"config", node.layer->config()},
                     {"inputs", inputs}});
  }
  return {{"architecture", architecture_},
          {"sample_shape", sample_shape_},
          {"num_classes", num_classes_},
          {"nodes", nodes}};
}

}  // namespace slim
