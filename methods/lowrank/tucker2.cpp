#include "methods/lowrank/tucker2.h"

#include <cmath>
#include <memory>
#include <optional>

#include "methods/lowrank/factor_selection.h"
#include "methods/lowrank/factorization_step.h"
#include "methods/lowrank/lowrank_settings.h"

namespace slim {
namespace {

constexpr const char* kTucker2Method = "tucker2";

std::unique_ptr<Conv2d> pointwise_conv(const MatrixD& weight, bool bias) {
  auto conv = std::make_unique<Conv2d>(Conv2dOptions{weight.cols(), weight.rows(), 1, 1, 0, bias});
  conv->weight().value.as_matrix() = weight.cast<float>();
  return conv;
}

double relative_error(const Tensor& weight, const Tensor& approximation) {
  double error = 0.0;
  double norm = 0.0;
  for (int64_t i = 0; i < weight.numel(); ++i) {
    const double diff = static_cast<double>(weight[i]) - static_cast<double>(approximation[i]);
    error += diff * diff;
    norm += static_cast<double>(weight[i]) * static_cast<double>(weight[i]);
  }
  return norm > 0.0 ? std::sqrt(error / norm) : 0.0;
}

int64_t mode_rank(const LowRankSettings& settings, const MatrixSvd& mode) {
  return select_rank(settings.rule, mode.singular_values, mode.u.rows(), mode.v.rows(),
                     settings.keep);
}

void propose_tucker2(FactorizationStep& step, const std::string& node, Conv2d& layer,
                     const LowRankSettings& settings) {
  const Tensor& weight = layer.weight().value;
  const Tucker2Spectra spectra = tucker2_spectra(weight);
  const int64_t rank_out = mode_rank(settings, spectra.out_mode);
  const int64_t rank_in = mode_rank(settings, spectra.in_mode);
  const Tucker2Factors factors = tucker2_factors(weight, spectra, rank_out, rank_in);
  const Conv2dOptions& options = layer.options();
  nlohmann::json entry = {
      {"c_out", options.out_channels},
      {"c_in", options.in_channels},
      {"kernel_size", options.kernel_size},
      {"rank_out", rank_out},
      {"rank_in", rank_in},
      {"full_rank_out", spectra.out_mode.singular_values.size()},
      {"full_rank_in", spectra.in_mode.singular_values.size()},
      {"energy_out", kept_energy(spectra.out_mode.singular_values, rank_out)},
      {"energy_in", kept_energy(spectra.in_mode.singular_values, rank_in)},
      {"relative_error", relative_error(weight, tucker2_reconstruct(factors))},
      {"out_factor", rank_out < options.out_channels},
      {"in_factor", rank_in < options.in_channels},
  };
  step.propose(node, layer, tucker2_chain(node, layer, factors), std::move(entry));
}

std::optional<std::string> default_exclusion(const Node& node) {
  const auto& conv = dynamic_cast<const Conv2d&>(*node.layer);
  if (conv.options().kernel_size == 1) {
    return "1 x 1 kernel: its Tucker-2 is a plain SVD (use channel_svd)";
  }
  return std::nullopt;
}

void apply_tucker2(Model& model, const nlohmann::json& params, MethodContext& context) {
  const LowRankSettings settings = parse_lowrank_settings(params);
  const FactorSelection selection =
      select_factor_nodes(model, settings.layers, "conv2d", default_exclusion, kTucker2Method);
  refuse_masked_or_encoded(model, selection.nodes, kTucker2Method);

  FactorizationStep step(kTucker2Method, to_json(settings));
  step.note_excluded(selection.excluded);
  for (const std::string& node : selection.nodes) {
    propose_tucker2(step, node, dynamic_cast<Conv2d&>(model.layer(node)), settings);
  }
  std::move(step).finish(model, context);
}

}  // namespace

FactorChain tucker2_chain(const std::string& node, const Conv2d& layer,
                          const Tucker2Factors& factors) {
  const Conv2dOptions& options = layer.options();
  const bool fold_in = factors.in_factor.cols() == options.in_channels;
  const bool fold_out = factors.out_factor.cols() == options.out_channels;
  MatrixD core = factors.core;
  if (fold_in) core = mode1_product(core, factors.in_factor.cols(), factors.in_factor);
  if (fold_out) core = mode0_product(core, factors.out_factor);

  FactorChain chain;
  if (!fold_in) {
    chain.push_back({factor_node_name(node, "tucker_in"),
                     pointwise_conv(factors.in_factor.transpose(), /*bias=*/false)});
  }
  Conv2dOptions core_options = options;  // keeps kernel_size, stride and padding
  core_options.in_channels = fold_in ? options.in_channels : factors.in_factor.cols();
  core_options.out_channels = fold_out ? options.out_channels : factors.out_factor.cols();
  core_options.bias = fold_out && options.bias;
  auto core_conv = std::make_unique<Conv2d>(core_options);
  core_conv->weight().value.as_matrix() = core.cast<float>();
  if (core_options.bias) core_conv->bias().value = layer.bias().value;
  chain.push_back({fold_out ? node : factor_node_name(node, "tucker_core"), std::move(core_conv)});
  if (!fold_out) {
    auto last = pointwise_conv(factors.out_factor, options.bias);
    if (options.bias) last->bias().value = layer.bias().value;
    chain.push_back({node, std::move(last)});
  }
  return chain;
}

Method tucker2_method() {
  ParamSchema params = rank_params({RankRule::kRank, RankRule::kEnergy}, RankRule::kRank, 0.5);
  params.push_back(layers_param("every Conv2d with a kernel larger than 1 x 1"));
  return Method{
      .name = kTucker2Method,
      .family = MethodFamily::kLowRank,
      .description = "Tucker-2 (HOSVD) of Conv2d layers: 1 x 1 in, k x k core, 1 x 1 out",
      .params = std::move(params),
      .apply = apply_tucker2,
  };
}

}  // namespace slim
