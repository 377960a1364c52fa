// filter_prune: one-shot structured pruning that physically removes conv filters (and
// with them their output maps and the next layers' input slices), BatchNorm channels
// and Linear neurons, so the pruned model is a smaller dense model that runs faster on
// every backend, unlike a masked one.
//
// The model is split into channel groups (channel_groups.h); in each prunable group of
// the selected producer kinds, round(ratio * C) channels are removed (at least one is
// kept), the lowest-scoring by the criterion (channel_importance.h). Every group is
// scored on the unpruned model before anything is removed (Li et al.'s "independent"
// strategy), so the order in which groups are thinned does not change the result.
// Fine-tuning is a separate pipeline step (`finetune`).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "methods/method.h"
#include "methods/pruning/structured/channel_groups.h"
#include "methods/pruning/structured/channel_importance.h"
#include "methods/pruning/structured/channel_removal.h"

namespace slim {

// Which groups to thin, by the kind of layer that writes their channels.
enum class ProducerSelection { kConv, kLinear, kAll };

const std::vector<std::string>& producer_selection_names();         // "conv", "linear", "all"
ProducerSelection parse_producer_selection(std::string_view name);  // UserError lists names

struct FilterPruneOptions {
  ChannelCriterion criterion = ChannelCriterion::kL1;
  double ratio = 0.5;  // fraction of each selected group's channels removed
  ProducerSelection layers = ProducerSelection::kConv;
  uint64_t seed = 0;  // the random criterion's stream
};

// What happened to one group.
struct GroupPruning {
  ChannelGroup group;               // as analysed, before removal
  std::vector<int64_t> keep;        // the channels every member kept, ascending
  std::vector<MemberSlice> slices;  // what each member kept along its sliced axis
};

// C - round(ratio * C), but at least 1.
int64_t channels_to_keep(int64_t channels, double ratio);

// True when `group` is prunable and its producers are of a kind `layers` selects.
bool selected_for_pruning(const ChannelGroup& group, ProducerSelection layers);

// Scores every selected group, then removes the lowest-scoring channels of each.
// Throws UserError for bn_gamma on a group without BatchNorm (before changing anything).
std::vector<GroupPruning> prune_channel_groups(Model& model, const FilterPruneOptions& options);

Method filter_prune_method();

}  // namespace slim
