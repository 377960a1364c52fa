// Channel groups: the channel spaces of a model graph that structured pruning thins.
//
// A channel space is one set of C channels that several layers must agree on. It is
// written by producers (Conv2d output channels, Linear outputs), carried channel-wise
// by layers without a channel-mixing parameter (ReLU, dropout, pooling, Flatten) or
// with per-channel parameters (BatchNorm), and read by consumers (Conv2d input
// channels, Linear inputs). An Add joins the spaces of both its inputs and its output
// into one group, so every member of a residual stage keeps the same channels: removing
// channel c from one branch and not the other would add unrelated maps together.
//
// A consumer reads channel c as the contiguous block of inputs [c*block, (c+1)*block):
// block = 1 for a conv, or a Linear after GlobalAvgPool; block = H*W for a Linear
// after Flatten of an [N, C, H, W] map.
//
// The analysis is conservative. A group is NOT prunable, and `blockers` says why, when
// its space is the model input, reaches the model output (the classifier's logits), is
// touched by a layer kind this analysis does not know (a quantized or sparse layer),
// holds encoded (quantized) weights, or mixes blocks in a way slicing cannot follow.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace slim {

enum class ChannelRole {
  kProducer,    // writes the channels: its outputs are sliced (Conv2d, Linear)
  kNormalizer,  // per-channel parameters and statistics are sliced (BatchNorm)
  kCarrier,     // passes channels through, nothing to slice (ReLU, pools, Add, ...)
  kConsumer,    // reads the channels: its input slices are sliced (Conv2d, Linear)
};

std::string_view channel_role_name(ChannelRole role);

struct ChannelMember {
  std::string node;
  std::string kind;  // the layer kind, e.g. "conv2d", "batchnorm2d"
  ChannelRole role = ChannelRole::kCarrier;
  int64_t block = 1;  // consumers: inputs per channel (H*W after a Flatten)
};

struct ChannelGroup {
  std::string name;                    // its first producer's node name
  int64_t channels = 0;                // C, from the producers' output shapes
  std::vector<ChannelMember> members;  // in graph order
  std::vector<std::string> blockers;   // why it may not be pruned; empty when it may

  bool prunable() const { return blockers.empty(); }
  // Node names of the members with `role`, in graph order.
  std::vector<std::string> nodes(ChannelRole role) const;
  // "conv2d" or "linear" when every producer is of that kind, else "mixed".
  std::string producer_kind() const;
};

// Every channel group that has at least one producer, ordered by its first member's
// position in the graph. Reads shapes for a batch of 1; never changes the model.
std::vector<ChannelGroup> analyse_channel_groups(const Model& model);

// {"name", "channels", "prunable", "blockers", "producers", "normalizers", "carriers",
//  "consumers": [{"node", "block"}]} for reports and `slimbench`-side listings.
nlohmann::json to_json(const ChannelGroup& group);

}  // namespace slim
