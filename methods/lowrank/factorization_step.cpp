#include "methods/lowrank/factorization_step.h"

#include <fmt/format.h>

#include <utility>

namespace slim {

FactorizationStep::FactorizationStep(std::string method, nlohmann::json settings)
    : method_(std::move(method)), report_(std::move(settings)) {
  report_["per_layer"] = nlohmann::json::array();
  report_["excluded"] = nlohmann::json::array();
}

void FactorizationStep::propose(const std::string& node, Layer& original, FactorChain chain,
                                nlohmann::json entry) {
  const int64_t before = layer_parameter_count(original);
  const int64_t after = chain_parameter_count(chain);
  entry["node"] = node;
  entry["params_before"] = before;
  entry["skipped"] = after >= before;
  if (after >= before) {
    entry["params_after"] = before;
    entry["reason"] = fmt::format(
        "the factors would hold {} parameters, the dense layer {}; left dense", after, before);
  } else {
    entry["params_after"] = after;
    entry["nodes"] = nlohmann::json::array();
    for (const FactorLink& link : chain) entry["nodes"].push_back(link.name);
    chains_.emplace(node, std::move(chain));
  }
  report_["per_layer"].push_back(std::move(entry));
}

void FactorizationStep::note_excluded(const std::vector<ExcludedNode>& excluded) {
  for (const ExcludedNode& item : excluded) {
    report_["excluded"].push_back({{"node", item.node}, {"reason", item.reason}});
  }
}

void FactorizationStep::finish(Model& model, MethodContext& context) && {
  const int64_t before = model.parameter_count();
  const size_t factored = chains_.size();
  const size_t proposed = report_["per_layer"].size();
  if (factored > 0) model = replace_with_chains(model, std::move(chains_), method_);
  const int64_t after = model.parameter_count();
  report_["parameters_before"] = before;
  report_["parameters_after"] = after;
  fmt::print(context.log,
             "{}: factored {} of {} selected layers ({} left dense, {} excluded by default); "
             "{} -> {} parameters\n",
             method_, factored, proposed, proposed - factored, report_["excluded"].size(), before,
             after);
  context.report[method_] = std::move(report_);
}

}  // namespace slim
