// Physical removal of channels: every member of a channel group (channel_groups.h)
// keeps the same channels, so the model gets thinner and stays consistent.
//
//   producers   Conv2d filters / Linear rows, with their bias and pruning mask
//   BatchNorms  gamma, beta, running mean and variance
//   consumers   Conv2d input channels / Linear input columns; after a Flatten channel c
//               is the block of columns [c*block, (c+1)*block)
//   carriers    nothing to slice (ReLU, pooling, Add, Flatten follow their input)
//
// Gradients are sliced with the values. Optimizer state is not the model's to slice:
// train() builds a fresh optimizer each call, so fine-tuning after removal is safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/model.h"
#include "methods/pruning/structured/channel_groups.h"

namespace slim {

// What one member kept, along the axis that was sliced (for a consumer after a Flatten
// these are feature indices, `block` per kept channel).
struct MemberSlice {
  std::string node;
  ChannelRole role = ChannelRole::kCarrier;
  std::vector<int64_t> kept;
};

// Keeps only channels `keep` (strictly ascending, non-empty, < group.channels) in every
// member of `group`, which must be prunable and describe the model as it is now (its
// producers still have group.channels outputs). Checks everything before changing
// anything; a violated precondition is a std::logic_error, a bug in the caller.
// Returns what each producer, BatchNorm and consumer kept, in the group's member order.
std::vector<MemberSlice> remove_channels(Model& model, const ChannelGroup& group,
                                         std::span<const int64_t> keep);

// The feature indices of channels `keep` when each channel spans `block` consecutive
// features: {c*block, ..., c*block + block - 1} for each c, in order.
std::vector<int64_t> expand_channel_blocks(std::span<const int64_t> keep, int64_t block);

}  // namespace slim
