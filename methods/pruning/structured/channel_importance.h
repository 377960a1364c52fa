// Importance of the channels of one channel group (channel_groups.h): one score per
// channel, higher = keep.
//
//   l1        s_c = sum over the group's producers of sum |W_c|, the L1 norm of filter
//             c (Conv2d: weight[c, :, :, :]; Linear: row c). Li et al. 2017 rank
//             filters this way: a filter with small weights writes a weak map. Biases
//             are left out, as in the paper.
//   bn_gamma  s_c = sum over the group's BatchNorms of |gamma_c| (network slimming,
//             Liu et al. 2017): the scale BN multiplies channel c by after
//             normalisation, so a small |gamma| silences the channel whatever its
//             filter. A group without a BatchNorm has no such scale: a UserError.
//   random    uniform in [0, 1) from a seeded Rng: the baseline the others must beat.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/rng.h"
#include "methods/pruning/structured/channel_groups.h"

namespace slim {

enum class ChannelCriterion { kL1, kBnGamma, kRandom };

const std::vector<std::string>& channel_criterion_names();  // "l1", "bn_gamma", "random"
std::string_view channel_criterion_name(ChannelCriterion criterion);
// Throws UserError listing the valid names.
ChannelCriterion parse_channel_criterion(std::string_view name);

std::vector<double> filter_l1_scores(const Model& model, const ChannelGroup& group);
std::vector<double> bn_gamma_scores(const Model& model, const ChannelGroup& group);
std::vector<double> random_channel_scores(const ChannelGroup& group, Rng& rng);

// Dispatches on `criterion`; `rng` is used by kRandom only.
std::vector<double> channel_scores(const Model& model, const ChannelGroup& group,
                                   ChannelCriterion criterion, Rng& rng);

// The `count` highest-scoring channel indices in ascending order. Ties go to the lower
// index, so the same scores always keep the same channels.
std::vector<int64_t> highest_scoring_channels(std::span<const double> scores, int64_t count);

}  // namespace slim
