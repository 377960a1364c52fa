#include "methods/lowrank/channel_svd.h"

#include <memory>
#include <optional>

#include "methods/lowrank/factor_selection.h"
#include "methods/lowrank/factorization_step.h"
#include "methods/lowrank/lowrank_settings.h"

namespace slim {
namespace {

constexpr const char* kChannelSvdMethod = "channel_svd";

void propose_conv(FactorizationStep& step, const std::string& node, Conv2d& layer,
                  const LowRankSettings& settings) {
  const Conv2dOptions& options = layer.options();
  const int64_t m = options.out_channels;
  const int64_t n = options.in_channels * options.kernel_size * options.kernel_size;
  const MatrixSvd svd = thin_svd(layer.weight().value);
  const int64_t rank = select_rank(settings.rule, svd.singular_values, m, n, settings.keep);
  nlohmann::json entry = {{"m", m},
                          {"n", n},
                          {"kernel_size", options.kernel_size},
                          {"rank", rank},
                          {"full_rank", svd.singular_values.size()},
                          {"kept_energy", kept_energy(svd.singular_values, rank)}};
  step.propose(node, layer, factor_conv_channels(node, layer, svd, rank), std::move(entry));
}

void apply_channel_svd(Model& model, const nlohmann::json& params, MethodContext& context) {
  const LowRankSettings settings = parse_lowrank_settings(params);
  const FactorSelection selection = select_factor_nodes(
      model, settings.layers, "conv2d", [](const Node&) { return std::optional<std::string>(); },
      kChannelSvdMethod);
  refuse_masked_or_encoded(model, selection.nodes, kChannelSvdMethod);

  FactorizationStep step(kChannelSvdMethod, to_json(settings));
  for (const std::string& node : selection.nodes) {
    propose_conv(step, node, dynamic_cast<Conv2d&>(model.layer(node)), settings);
  }
  std::move(step).finish(model, context);
}

}  // namespace

FactorChain factor_conv_channels(const std::string& node, const Conv2d& layer, const MatrixSvd& svd,
                                 int64_t rank) {
  const Conv2dOptions& options = layer.options();
  const BalancedFactors factors = balanced_factors(svd, rank);

  Conv2dOptions spatial = options;  // keeps kernel_size, stride and padding
  spatial.out_channels = rank;
  spatial.bias = false;
  auto first = std::make_unique<Conv2d>(spatial);
  first->weight().value.as_matrix() = factors.first.as_matrix();  // [r, Cin*k*k]

  auto second =
      std::make_unique<Conv2d>(Conv2dOptions{rank, options.out_channels, 1, 1, 0, options.bias});
  second->weight().value.as_matrix() = factors.second.as_matrix();  // [Cout, r]
  if (options.bias) second->bias().value = layer.bias().value;

  FactorChain chain;
  chain.push_back({factor_node_name(node, "svd_in"), std::move(first)});
  chain.push_back({node, std::move(second)});
  return chain;
}

Method channel_svd_method() {
  ParamSchema params =
      rank_params({RankRule::kParams, RankRule::kRank, RankRule::kEnergy}, RankRule::kParams, 0.5);
  params.push_back(layers_param("every Conv2d"));
  return Method{
      .name = kChannelSvdMethod,
      .family = MethodFamily::kLowRank,
      .description = "truncated SVD of Conv2d filters: k x k conv to rank r, then 1 x 1 conv",
      .params = std::move(params),
      .apply = apply_channel_svd,
  };
}

}  // namespace slim
