#include "methods/pruning/structured/filter_prune.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"

namespace slim {
namespace {

// Keeps the random criterion's stream apart from every other use of the job's seed.
constexpr uint64_t kFilterPruneSeedStream = 0x66696c74;  // "filt"

// Sliced encoded weights would no longer match their codes; quantize after pruning.
void refuse_encoded_parameters(Model& model) {
  for (auto& [name, parameter] : model.parameters()) {
    if (parameter->storage) {
      fail(
          "filter_prune: parameter '{}' is already encoded ({}); put filter_prune before "
          "quantization in the pipeline",
          name, parameter->storage->describe().dump());
    }
  }
}

std::string skip_reason(const ChannelGroup& group, ProducerSelection layers) {
  if (!group.prunable()) return fmt::format("{}", fmt::join(group.blockers, "; "));
  return fmt::format("written by {} layers, not selected by layers={}", group.producer_kind(),
                     producer_selection_names()[static_cast<size_t>(layers)]);
}

nlohmann::json pruned_group_json(const GroupPruning& pruned) {
  nlohmann::json entry = to_json(pruned.group);
  entry.erase("prunable");
  entry.erase("blockers");
  entry["channels_before"] = pruned.group.channels;
  entry["channels_after"] = pruned.keep.size();
  entry["kept"] = pruned.keep;
  return entry;
}

void apply_filter_prune(Model& model, const nlohmann::json& params, MethodContext& context) {
  refuse_encoded_parameters(model);
  FilterPruneOptions options;
  options.criterion = parse_channel_criterion(params.at("criterion").get<std::string>());
  options.ratio = params.at("ratio").get<double>();
  options.layers = parse_producer_selection(params.at("layers").get<std::string>());
  options.seed = Rng(context.seed).split(kFilterPruneSeedStream).next_u64();

  const std::vector<ChannelGroup> groups = analyse_channel_groups(model);
  const int64_t parameters_before = model.parameter_count();
  const std::vector<GroupPruning> pruned = prune_channel_groups(model, options);
  const int64_t parameters_after = model.parameter_count();

  nlohmann::json report = {{"criterion", channel_criterion_name(options.criterion)},
                           {"ratio", options.ratio},
                           {"layers", params.at("layers")},
                           {"parameters_before", parameters_before},
                           {"parameters_after", parameters_after},
                           {"groups", nlohmann::json::array()},
                           {"skipped", nlohmann::json::array()}};
  for (const GroupPruning& entry : pruned) report["groups"].push_back(pruned_group_json(entry));
  for (const ChannelGroup& group : groups) {
    if (selected_for_pruning(group, options.layers)) continue;
    report["skipped"].push_back({{"name", group.name},
                                 {"channels", group.channels},
                                 {"reason", skip_reason(group, options.layers)}});
  }
  context.report["filter_prune"] = std::move(report);
  fmt::print(context.log, "filter_prune: {} of {} channel groups thinned by {} ({} -> {} params)\n",
             pruned.size(), groups.size(), channel_criterion_name(options.criterion),
             parameters_before, parameters_after);
}

}  // namespace

const std::vector<std::string>& producer_selection_names() {
  static const std::vector<std::string> names = {"conv", "linear", "all"};
  return names;
}

ProducerSelection parse_producer_selection(std::string_view name) {
  const auto& names = producer_selection_names();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    fail("unknown layer selection '{}'; valid choices: {}", name, fmt::join(names, ", "));
  }
  return static_cast<ProducerSelection>(it - names.begin());
}

int64_t channels_to_keep(int64_t channels, double ratio) {
  const auto removed = static_cast<int64_t>(std::lround(ratio * static_cast<double>(channels)));
  return std::max<int64_t>(1, channels - removed);
}

bool selected_for_pruning(const ChannelGroup& group, ProducerSelection layers) {
  if (!group.prunable()) return false;
  const std::string kind = group.producer_kind();
  switch (layers) {
    case ProducerSelection::kConv:
      return kind == "conv2d";
    case ProducerSelection::kLinear:
      return kind == "linear";
    case ProducerSelection::kAll:
      return true;
  }
  return false;
}

std::vector<GroupPruning> prune_channel_groups(Model& model, const FilterPruneOptions& options) {
  Rng rng(options.seed);
  std::vector<GroupPruning> plan;
  // Score everything first: removing one group's channels changes the filters of the
  // next (its consumers), and the scores must not depend on the removal order.
  for (ChannelGroup& group : analyse_channel_groups(model)) {
    if (!selected_for_pruning(group, options.layers)) continue;
    const std::vector<double> scores = channel_scores(model, group, options.criterion, rng);
    std::vector<int64_t> keep =
        highest_scoring_channels(scores, channels_to_keep(group.channels, options.ratio));
    plan.push_back({std::move(group), std::move(keep), {}});
  }
  for (GroupPruning& entry : plan) entry.slices = remove_channels(model, entry.group, entry.keep);
  return plan;
}

Method filter_prune_method() {
  return Method{
      .name = "filter_prune",
      .family = MethodFamily::kPruning,
      .description =
          "structured pruning: removes whole filters/channels/neurons (residual groups agree)",
      .params =
          {
              choice_param("criterion", "l1", channel_criterion_names(),
                           "channel importance: filter L1 norm (Li et al. 2017), BatchNorm "
                           "|gamma| (network slimming), or random"),
              number_param("ratio", 0.5, 0.0, 0.95,
                           "fraction of each group's channels removed (rounded; >= 1 kept)"),
              choice_param("layers", "conv", producer_selection_names(),
                           "prune groups written by conv filters, linear neurons, or both"),
          },
      .apply = apply_filter_prune,
  };
}

}  // namespace slim
