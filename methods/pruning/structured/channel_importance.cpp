#include "methods/pruning/structured/channel_importance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/error.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"

namespace slim {
namespace {

// Both Conv2d [O, I, k, k] and Linear [O, I] weights hold output channel c as the
// contiguous row c of their [O, rest] view.
const Tensor& producer_weight(const Layer& layer) {
  if (const auto* conv = dynamic_cast<const Conv2d*>(&layer)) return conv->weight().value;
  if (const auto* linear = dynamic_cast<const Linear*>(&layer)) return linear->weight().value;
  throw std::logic_error("channel importance: a producer is neither conv2d nor linear");
}

void add_row_l1_norms(const Tensor& weight, std::vector<double>& scores) {
  const int64_t rows = weight.dim(0);
  if (rows != static_cast<int64_t>(scores.size())) {
    throw std::logic_error("channel importance: producer and group disagree on channels");
  }
  const int64_t per_row = weight.numel() / rows;
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0.0;
    for (int64_t i = 0; i < per_row; ++i) sum += std::fabs(weight[r * per_row + i]);
    scores[static_cast<size_t>(r)] += sum;
  }
}

}  // namespace

const std::vector<std::string>& channel_criterion_names() {
  static const std::vector<std::string> names = {"l1", "bn_gamma", "random"};
  return names;
}

std::string_view channel_criterion_name(ChannelCriterion criterion) {
  return channel_criterion_names()[static_cast<size_t>(criterion)];
}

ChannelCriterion parse_channel_criterion(std::string_view name) {
  const auto& names = channel_criterion_names();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    fail("unknown channel criterion '{}'; valid choices: {}", name, fmt::join(names, ", "));
  }
  return static_cast<ChannelCriterion>(it - names.begin());
}

std::vector<double> filter_l1_scores(const Model& model, const ChannelGroup& group) {
  std::vector<double> scores(static_cast<size_t>(group.channels), 0.0);
  for (const std::string& node : group.nodes(ChannelRole::kProducer)) {
    add_row_l1_norms(producer_weight(model.layer(node)), scores);
  }
  return scores;
}

std::vector<double> bn_gamma_scores(const Model& model, const ChannelGroup& group) {
  const std::vector<std::string> norms = group.nodes(ChannelRole::kNormalizer);
  if (norms.empty()) {
    fail(
        "criterion 'bn_gamma' ranks channels by their BatchNorm scale, but channel group '{}' "
        "of {} has no BatchNorm; valid choices for this model: l1, random",
        group.name, model.architecture());
  }
  std::vector<double> scores(static_cast<size_t>(group.channels), 0.0);
  for (const std::string& node : norms) {
    const auto& bn = dynamic_cast<const BatchNorm&>(model.layer(node));
    const Tensor& gamma = bn.gamma().value;
    if (gamma.numel() != group.channels) {
      throw std::logic_error("channel importance: BatchNorm and group disagree on channels");
    }
    for (int64_t c = 0; c < group.channels; ++c) {
      scores[static_cast<size_t>(c)] += std::fabs(gamma[c]);
    }
  }
  return scores;
}

std::vector<double> random_channel_scores(const ChannelGroup& group, Rng& rng) {
  std::vector<double> scores(static_cast<size_t>(group.channels));
  for (double& score : scores) score = rng.uniform();
  return scores;
}

std::vector<double> channel_scores(const Model& model, const ChannelGroup& group,
                                   ChannelCriterion criterion, Rng& rng) {
  switch (criterion) {
    case ChannelCriterion::kL1:
      return filter_l1_scores(model, group);
    case ChannelCriterion::kBnGamma:
      return bn_gamma_scores(model, group);
    case ChannelCriterion::kRandom:
      return random_channel_scores(group, rng);
  }
  throw std::logic_error("channel_scores: unknown criterion");
}

std::vector<int64_t> highest_scoring_channels(std::span<const double> scores, int64_t count) {
  const auto total = static_cast<int64_t>(scores.size());
  if (count < 0 || count > total) throw std::logic_error("highest_scoring_channels: bad count");
  std::vector<int64_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&scores](int64_t a, int64_t b) {
    return scores[static_cast<size_t>(a)] > scores[static_cast<size_t>(b)];
  });
  order.resize(static_cast<size_t>(count));
  std::sort(order.begin(), order.end());
  return order;
}

}  // namespace slim
