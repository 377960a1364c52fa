#include "methods/pruning/structured/channel_removal.h"

#include <fmt/format.h>

#include <stdexcept>

#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"

namespace slim {
namespace {

[[noreturn]] void removal_bug(const ChannelGroup& group, const std::string& what) {
  throw std::logic_error(fmt::format("remove_channels on group '{}': {}", group.name, what));
}

void check_keep_list(const ChannelGroup& group, std::span<const int64_t> keep) {
  if (keep.empty()) removal_bug(group, "would remove every channel");
  for (size_t i = 0; i < keep.size(); ++i) {
    if (keep[i] < 0 || keep[i] >= group.channels) {
      removal_bug(group, fmt::format("channel {} is outside [0, {})", keep[i], group.channels));
    }
    if (i > 0 && keep[i] <= keep[i - 1]) removal_bug(group, "keep is not strictly ascending");
  }
}

bool has_encoded_weights(Layer& layer) {
  for (auto& [name, parameter] : layer.parameters()) {
    if (parameter->storage) return true;
  }
  return false;
}

// How many channels (producers, BatchNorms) or inputs (consumers) the member has now.
int64_t member_extent(Layer& layer, ChannelRole role) {
  if (auto* conv = dynamic_cast<Conv2d*>(&layer)) {
    return role == ChannelRole::kProducer ? conv->options().out_channels
                                          : conv->options().in_channels;
  }
  if (auto* linear = dynamic_cast<Linear*>(&layer)) {
    return role == ChannelRole::kProducer ? linear->out_features() : linear->in_features();
  }
  if (auto* bn = dynamic_cast<BatchNorm*>(&layer)) return bn->num_features();
  return -1;
}

// The group must still match the model: a stale group (analysed before an earlier
// removal, or on another model) would slice the wrong tensors.
void check_members(Model& model, const ChannelGroup& group) {
  if (!group.prunable()) {
    removal_bug(group, fmt::format("it is not prunable: {}", fmt::join(group.blockers, "; ")));
  }
  for (const ChannelMember& member : group.members) {
    if (member.role == ChannelRole::kCarrier) continue;
    Layer& layer = model.layer(member.node);
    if (has_encoded_weights(layer)) removal_bug(group, member.node + " has encoded weights");
    const int64_t expected =
        group.channels * (member.role == ChannelRole::kConsumer ? member.block : 1);
    const int64_t extent = member_extent(layer, member.role);
    if (extent != expected) {
      removal_bug(group,
                  fmt::format("{} '{}' has {} channels or inputs, the group expects {}",
                              channel_role_name(member.role), member.node, extent, expected));
    }
  }
}

std::vector<int64_t> slice_member(Layer& layer, const ChannelMember& member,
                                  std::span<const int64_t> keep) {
  if (member.role == ChannelRole::kConsumer) {
    const std::vector<int64_t> features = expand_channel_blocks(keep, member.block);
    if (auto* conv = dynamic_cast<Conv2d*>(&layer)) {
      conv->keep_input_channels(features);  // block is 1 for a conv
    } else {
      dynamic_cast<Linear&>(layer).keep_inputs(features);
    }
    return features;
  }
  if (member.role == ChannelRole::kProducer) {
    if (auto* conv = dynamic_cast<Conv2d*>(&layer)) {
      conv->keep_output_channels(keep);
    } else {
      dynamic_cast<Linear&>(layer).keep_outputs(keep);
    }
  } else {
    dynamic_cast<BatchNorm&>(layer).keep_channels(keep);
  }
  return {keep.begin(), keep.end()};
}

}  // namespace

std::vector<int64_t> expand_channel_blocks(std::span<const int64_t> keep, int64_t block) {
  std::vector<int64_t> features;
  features.reserve(keep.size() * static_cast<size_t>(block));
  for (int64_t c : keep) {
    for (int64_t j = 0; j < block; ++j) features.push_back(c * block + j);
  }
  return features;
}

std::vector<MemberSlice> remove_channels(Model& model, const ChannelGroup& group,
                                         std::span<const int64_t> keep) {
  check_keep_list(group, keep);
  check_members(model, group);
  std::vector<MemberSlice> slices;
  for (const ChannelMember& member : group.members) {
    if (member.role == ChannelRole::kCarrier) continue;
    slices.push_back(
        {member.node, member.role, slice_member(model.layer(member.node), member, keep)});
  }
  return slices;
}

}  // namespace slim
