#include "methods/lowrank/svd_linear.h"

#include <fmt/format.h>

#include <memory>
#include <optional>

#include "core/error.h"
#include "methods/lowrank/factor_selection.h"
#include "methods/lowrank/factorization_step.h"
#include "methods/lowrank/lowrank_settings.h"

namespace slim {
namespace {

constexpr const char* kSvdMethod = "svd";

// The classifier: the last Linear of the graph (empty when there is none).
std::string classifier_name(const Model& model) {
  std::string name;
  for (const Node& node : model.nodes()) {
    if (node.layer->kind() == "linear") name = node.name;
  }
  return name;
}

FactorSelection select_linear_nodes(const Model& model, const std::string& layers,
                                    bool include_classifier) {
  const std::string classifier = classifier_name(model);
  FactorSelection selection = select_factor_nodes(
      model, layers, "linear",
      [&](const Node& node) -> std::optional<std::string> {
        if (node.name == classifier && !include_classifier) {
          return "the classifier (last Linear); set include_classifier to factor it";
        }
        return std::nullopt;
      },
      kSvdMethod);
  for (const std::string& name : selection.nodes) {
    if (name == classifier && !include_classifier) {
      fail(
          "svd: layers names the classifier '{}' but include_classifier is false; set it to "
          "true to factor the classifier",
          name);
    }
  }
  return selection;
}

void propose_linear(FactorizationStep& step, const std::string& node, Linear& layer,
                    const LowRankSettings& settings) {
  const int64_t m = layer.out_features();
  const int64_t n = layer.in_features();
  const MatrixSvd svd = thin_svd(layer.weight().value);
  const int64_t rank = select_rank(settings.rule, svd.singular_values, m, n, settings.keep);
  nlohmann::json entry = {{"m", m},
                          {"n", n},
                          {"rank", rank},
                          {"full_rank", svd.singular_values.size()},
                          {"kept_energy", kept_energy(svd.singular_values, rank)}};
  step.propose(node, layer, factor_linear(node, layer, svd, rank), std::move(entry));
}

void apply_svd(Model& model, const nlohmann::json& params, MethodContext& context) {
  const LowRankSettings settings = parse_lowrank_settings(params);
  const bool include_classifier = params.at("include_classifier").get<bool>();
  const FactorSelection selection = select_linear_nodes(model, settings.layers, include_classifier);
  refuse_masked_or_encoded(model, selection.nodes, kSvdMethod);

  nlohmann::json report_settings = to_json(settings);
  report_settings["include_classifier"] = include_classifier;
  FactorizationStep step(kSvdMethod, std::move(report_settings));
  step.note_excluded(selection.excluded);
  for (const std::string& node : selection.nodes) {
    propose_linear(step, node, dynamic_cast<Linear&>(model.layer(node)), settings);
  }
  std::move(step).finish(model, context);
}

}  // namespace

FactorChain factor_linear(const std::string& node, const Linear& layer, const MatrixSvd& svd,
                          int64_t rank) {
  const BalancedFactors factors = balanced_factors(svd, rank);
  auto first = std::make_unique<Linear>(layer.in_features(), rank, /*bias=*/false);
  first->weight().value = factors.first;
  auto second = std::make_unique<Linear>(rank, layer.out_features(), layer.has_bias());
  second->weight().value = factors.second;
  if (layer.has_bias()) second->bias().value = layer.bias().value;

  FactorChain chain;
  chain.push_back({factor_node_name(node, "svd_in"), std::move(first)});
  chain.push_back({node, std::move(second)});
  return chain;
}

Method svd_method() {
  ParamSchema params =
      rank_params({RankRule::kParams, RankRule::kRank, RankRule::kEnergy}, RankRule::kParams, 0.5);
  params.push_back(layers_param("every Linear but the classifier (the last Linear)"));
  params.push_back(
      bool_param("include_classifier", false, "also factor the classifier (the last Linear)"));
  return Method{
      .name = kSvdMethod,
      .family = MethodFamily::kLowRank,
      .description = "truncated SVD of Linear layers into two thinner Linear layers",
      .params = std::move(params),
      .apply = apply_svd,
  };
}

}  // namespace slim
