#include "methods/pruning/structured/channel_groups.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>

namespace slim {
namespace {

// Union-find over channel spaces. Space i < nodes is node i's output; space `nodes` is
// the model input. Members and blockers are filed under a space and resolved to the
// space's root once every Add has joined its inputs.
class ChannelSpaceAnalysis {
 public:
  explicit ChannelSpaceAnalysis(const Model& model)
      : model_(model),
        input_space_(static_cast<int>(model.nodes().size())),
        parent_(model.nodes().size() + 1),
        block_(model.nodes().size() + 1, 1),
        shapes_(model.output_shapes(1)) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }

  std::vector<ChannelGroup> run() {
    block(input_space_, "it is the model input");
    for (size_t i = 0; i < model_.nodes().size(); ++i) visit(static_cast<int>(i));
    block(static_cast<int>(model_.nodes().size()) - 1,
          "it reaches the model output (the classifier's outputs)");
    return collect_groups();
  }

 private:
  struct Filed {
    int space;
    int order;  // graph position, to list members in graph order
    ChannelMember member;
  };

  int find(int space) {
    while (parent_[static_cast<size_t>(space)] != space) {
      auto& up = parent_[static_cast<size_t>(space)];
      up = parent_[static_cast<size_t>(up)];  // path halving
      space = up;
    }
    return space;
  }
  void join(int a, int b) { parent_[static_cast<size_t>(find(a))] = find(b); }

  int space_of_input(const Node& node, size_t k) const {
    return node.inputs[k] < 0 ? input_space_ : node.inputs[k];
  }
  int64_t& block_of(int space) { return block_[static_cast<size_t>(space)]; }
  const Shape& shape_of(int space) const {
    return space == input_space_ ? model_.sample_shape() : shapes_[static_cast<size_t>(space)];
  }

  void file(int space, int order, ChannelRole role, int64_t block = 1) {
    const Node& node = model_.nodes()[static_cast<size_t>(order)];
    filed_.push_back({space, order, ChannelMember{node.name, node.layer->kind(), role, block}});
  }
  void block(int space, std::string reason) { blockers_.emplace_back(space, std::move(reason)); }

  // Encoded weights cannot be sliced without re-encoding them, so the spaces such a
  // layer reads and writes stay whole.
  static bool has_encoded_parameter(const Layer& layer) {
    // Layer::parameters() is not const only because it hands out mutable pointers.
    auto params = const_cast<Layer&>(layer).parameters();
    return std::any_of(params.begin(), params.end(),
                       [](const auto& named) { return named.second->storage != nullptr; });
  }

  void visit(int index) {
    const Node& node = model_.nodes()[static_cast<size_t>(index)];
    const std::string kind = node.layer->kind();
    if (kind == "conv2d" || kind == "linear") {
      visit_weighted(index, node, kind);
    } else if (kind == "batchnorm1d" || kind == "batchnorm2d") {
      visit_channelwise(index, node, ChannelRole::kNormalizer);
    } else if (kind == "relu" || kind == "dropout" || kind == "maxpool2d" || kind == "avgpool2d" ||
               kind == "global_avgpool") {
      visit_channelwise(index, node, ChannelRole::kCarrier);
    } else if (kind == "flatten") {
      visit_flatten(index, node);
    } else if (kind == "add") {
      visit_add(index, node);
    } else {
      visit_unknown(index, node, kind);
    }
  }

  void visit_weighted(int index, const Node& node, const std::string& kind) {
    const int in = space_of_input(node, 0);
    if (kind == "conv2d" && block_of(in) != 1) {
      block(in, fmt::format("conv '{}' reads it flattened", node.name));
    }
    file(in, index, ChannelRole::kConsumer, block_of(in));
    file(index, index, ChannelRole::kProducer);
    if (has_encoded_parameter(*node.layer)) {
      const std::string why =
          fmt::format("'{}' has encoded (quantized) weights; prune before quantizing", node.name);
      block(in, why);
      block(index, why);
    }
  }

  // Layers that map channel c to channel c. Their per-channel parameters (BatchNorm)
  // and spatial pooling only make sense on unflattened channels.
  void visit_channelwise(int index, const Node& node, ChannelRole role) {
    const int in = space_of_input(node, 0);
    join(index, in);
    block_of(index) = block_of(in);
    const bool elementwise = node.layer->kind() == "relu" || node.layer->kind() == "dropout";
    if (!elementwise && block_of(in) != 1) {
      block(in, fmt::format("'{}' ({}) reads it flattened", node.name, node.layer->kind()));
    }
    file(index, index, role);
  }

  // Flatten of [N, C, H, W] lays channel c out as H*W consecutive features.
  void visit_flatten(int index, const Node& node) {
    const int in = space_of_input(node, 0);
    join(index, in);
    const Shape& shape = shape_of(in);
    const size_t first_spatial = in == input_space_ ? 1 : 2;  // the sample shape has no batch
    int64_t per_channel = 1;
    for (size_t d = first_spatial; d < shape.size(); ++d) per_channel *= shape[d];
    block_of(index) = block_of(in) * per_channel;
    file(index, index, ChannelRole::kCarrier);
  }

  void visit_add(int index, const Node& node) {
    const int first = space_of_input(node, 0);
    block_of(index) = block_of(first);
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      const int in = space_of_input(node, k);
      if (block_of(in) != block_of(first)) {
        block(in, fmt::format("add '{}' joins it with a differently flattened input", node.name));
      }
      join(index, in);
    }
    file(index, index, ChannelRole::kCarrier);
  }

  void visit_unknown(int index, const Node& node, const std::string& kind) {
    const std::string why = fmt::format(
        "layer '{}' of kind '{}' touches it, which structured pruning does not understand",
        node.name, kind);
    for (size_t k = 0; k < node.inputs.size(); ++k) block(space_of_input(node, k), why);
    block(index, why);
  }

  std::vector<ChannelGroup> collect_groups() {
    std::map<int, ChannelGroup> by_root;
    std::map<int, int> first_order;
    std::stable_sort(filed_.begin(), filed_.end(),
                     [](const Filed& a, const Filed& b) { return a.order < b.order; });
    for (const Filed& f : filed_) {
      const int root = find(f.space);
      by_root[root].members.push_back(f.member);
      first_order.emplace(root, f.order);
    }
    for (const auto& [space, reason] : blockers_) {
      auto it = by_root.find(find(space));
      if (it == by_root.end()) continue;
      auto& reasons = it->second.blockers;
      if (std::find(reasons.begin(), reasons.end(), reason) == reasons.end()) {
        reasons.push_back(reason);
      }
    }
    std::vector<std::pair<int, ChannelGroup>> ordered;
    for (auto& [root, group] : by_root) {
      const std::vector<std::string> producers = group.nodes(ChannelRole::kProducer);
      if (producers.empty()) continue;  // e.g. the model input's space
      group.name = producers.front();
      group.channels = shapes_[static_cast<size_t>(model_.node_index(group.name))][1];
      ordered.emplace_back(first_order.at(root), std::move(group));
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<ChannelGroup> groups;
    for (auto& entry : ordered) groups.push_back(std::move(entry.second));
    return groups;
  }

  const Model& model_;
  int input_space_;
  std::vector<int> parent_;
  std::vector<int64_t> block_;  // per space: inputs per channel (after Flatten)
  std::vector<Shape> shapes_;   // per node, batch 1
  std::vector<Filed> filed_;
  std::vector<std::pair<int, std::string>> blockers_;
};

}  // namespace

std::string_view channel_role_name(ChannelRole role) {
  switch (role) {
    case ChannelRole::kProducer:
      return "producer";
    case ChannelRole::kNormalizer:
      return "normalizer";
    case ChannelRole::kCarrier:
      return "carrier";
    case ChannelRole::kConsumer:
      return "consumer";
  }
  return "?";
}

std::vector<std::string> ChannelGroup::nodes(ChannelRole role) const {
  std::vector<std::string> out;
  for (const ChannelMember& member : members) {
    if (member.role == role) out.push_back(member.node);
  }
  return out;
}

std::string ChannelGroup::producer_kind() const {
  std::string kind;
  for (const ChannelMember& member : members) {
    if (member.role != ChannelRole::kProducer) continue;
    if (kind.empty()) {
      kind = member.kind;
    } else if (kind != member.kind) {
      return "mixed";
    }
  }
  return kind;
}

std::vector<ChannelGroup> analyse_channel_groups(const Model& model) {
  return ChannelSpaceAnalysis(model).run();
}

nlohmann::json to_json(const ChannelGroup& group) {
  nlohmann::json consumers = nlohmann::json::array();
  for (const ChannelMember& member : group.members) {
    if (member.role == ChannelRole::kConsumer) {
      consumers.push_back({{"node", member.node}, {"block", member.block}});
    }
  }
  return {{"name", group.name},
          {"channels", group.channels},
          {"prunable", group.prunable()},
          {"blockers", group.blockers},
          {"producers", group.nodes(ChannelRole::kProducer)},
          {"normalizers", group.nodes(ChannelRole::kNormalizer)},
          {"carriers", group.nodes(ChannelRole::kCarrier)},
          {"consumers", consumers}};
}

}  // namespace slim
