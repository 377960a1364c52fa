// One low-rank step from start to finish, shared by svd, tucker2 and channel_svd: each
// selected node's proposed chain is kept only where it holds fewer parameters than the
// node, the model is rewritten once, and the per-layer table goes into the report.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "methods/lowrank/factor_selection.h"
#include "methods/lowrank/factored_graph.h"
#include "methods/method.h"

namespace slim {

class FactorizationStep {
 public:
  FactorizationStep(std::string method, nlohmann::json settings);

  // Records `node`'s proposal. `entry` holds the method's own fields (ranks, energies);
  // this adds params_before, params_after, skipped, and either the emitted node names
  // ("nodes") or why the node stays dense ("reason"). A chain that would not hold fewer
  // parameters than `original` is dropped and the node left dense.
  void propose(const std::string& node, Layer& original, FactorChain chain, nlohmann::json entry);
  // Nodes of the method's kind that the default selection left out, with reasons.
  void note_excluded(const std::vector<ExcludedNode>& excluded);

  // Rewrites `model`, stores the report as context.report[method] and logs one line:
  //   {<settings>..., parameters_before, parameters_after, per_layer: [...], excluded: [...]}
  void finish(Model& model, MethodContext& context) &&;

 private:
  std::string method_;
  nlohmann::json report_;
  std::map<std::string, FactorChain> chains_;
};

}  // namespace slim
