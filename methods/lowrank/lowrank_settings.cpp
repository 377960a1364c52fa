#include "methods/lowrank/lowrank_settings.h"

#include <fmt/format.h>

namespace slim {
namespace {

// keep is a fraction in (0, 1]; the schema's bounds are inclusive, so the open end is the
// smallest value that still selects anything meaningful.
constexpr double kMinKeep = 1e-6;

std::string rule_description(RankRule rule) {
  switch (rule) {
    case RankRule::kParams:
      return "params: at most keep*m*n weights";
    case RankRule::kRank:
      return "rank: keep*min(m,n) singular values";
    case RankRule::kEnergy:
      return "energy: keep of sum sigma^2";
  }
  return "?";
}

}  // namespace

ParamSchema rank_params(const std::vector<RankRule>& rules, RankRule default_rule,
                        double default_keep) {
  std::vector<std::string> names;
  std::vector<std::string> descriptions;
  for (RankRule rule : rules) {
    names.emplace_back(rank_rule_name(rule));
    descriptions.push_back(rule_description(rule));
  }
  return {
      choice_param("rank_by", std::string(rank_rule_name(default_rule)), names,
                   fmt::format("{}", fmt::join(descriptions, "; "))),
      number_param("keep", default_keep, kMinKeep, 1.0,
                   "fraction in (0, 1] that rank_by applies (weights, rank or energy)"),
  };
}

ParamSpec layers_param(const std::string& default_set) {
  return choice_param("layers", "", {}, "comma-separated node names; empty: " + default_set);
}

LowRankSettings parse_lowrank_settings(const nlohmann::json& params) {
  LowRankSettings settings;
  settings.rule = parse_rank_rule(params.at("rank_by").get<std::string>());
  settings.keep = params.at("keep").get<double>();
  settings.layers = params.at("layers").get<std::string>();
  return settings;
}

nlohmann::json to_json(const LowRankSettings& settings) {
  return {{"rank_by", std::string(rank_rule_name(settings.rule))},
          {"keep", settings.keep},
          {"layers", settings.layers}};
}

}  // namespace slim
