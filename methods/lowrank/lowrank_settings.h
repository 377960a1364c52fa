// The parameters the low-rank methods share: how the rank is chosen (rank_by, keep) and
// which nodes are factored (layers), with their schema entries.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "methods/lowrank/rank_selection.h"
#include "methods/param_schema.h"

namespace slim {

struct LowRankSettings {
  RankRule rule = RankRule::kParams;
  double keep = 0.5;
  std::string layers;  // comma-separated node names; empty: the method's default set
};

// rank_by (one of `rules`) and keep in (0, 1].
ParamSchema rank_params(const std::vector<RankRule>& rules, RankRule default_rule,
                        double default_keep);
// layers: a string, empty by default; `default_set` says what empty selects.
ParamSpec layers_param(const std::string& default_set);

LowRankSettings parse_lowrank_settings(const nlohmann::json& params);
// {rank_by, keep, layers} for a method's report.
nlohmann::json to_json(const LowRankSettings& settings);

}  // namespace slim
