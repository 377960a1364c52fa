#include "kernels/sparse/sparse_lowering.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "kernels/sparse/csr_matrix.h"
#include "kernels/sparse/sparse24_matrix.h"

namespace slim {
namespace {

int64_t count_nonzeros(std::span<const float> values) {
  return std::count_if(values.begin(), values.end(), [](float v) { return v != 0.0f; });
}

int64_t format_weight_bytes(SparseFormat format, int64_t rows, int64_t cols, int64_t nonzeros) {
  switch (format) {
    case SparseFormat::kCsr:
      return csr_stored_bytes(rows, nonzeros);
    case SparseFormat::k2of4:
      return sparse24_stored_bytes(rows, cols);
    case SparseFormat::kDense:
      break;
  }
  return rows * cols * int64_t{sizeof(float)};
}

double zero_fraction(int64_t nonzeros, int64_t count) {
  return count == 0 ? 0.0 : 1.0 - static_cast<double>(nonzeros) / static_cast<double>(count);
}

}  // namespace

const Linear* sparse_lowerable_linear(const Node& node) {
  if (node.layer->kind() != "linear") return nullptr;
  const auto* linear = dynamic_cast<const Linear*>(node.layer.get());
  if (!linear) {
    throw std::logic_error("sparse lowering: node '" + node.name +
                           "' of kind 'linear' is not a Linear");
  }
  return linear;
}

std::string_view sparse_format_name(SparseFormat format) {
  switch (format) {
    case SparseFormat::kDense:
      return "dense";
    case SparseFormat::kCsr:
      return "csr";
    case SparseFormat::k2of4:
      return "2:4";
  }
  throw std::logic_error("sparse_format_name: unknown format");
}

SparseFormat choose_linear_format(std::span<const float> weight, int64_t out_features,
                                  int64_t in_features, const SparseLoweringPolicy& policy) {
  const double sparsity = zero_fraction(count_nonzeros(weight), out_features * in_features);
  const bool csr_fits = in_features <= kCsrMaxCols;
  if (policy.use_2_4 && is_2_4_sparse(weight.data(), out_features, in_features) &&
      !(csr_fits && sparsity >= policy.csr_over_2_4_sparsity)) {
    return SparseFormat::k2of4;
  }
  if (csr_fits && sparsity >= policy.csr_min_sparsity) return SparseFormat::kCsr;
  return SparseFormat::kDense;
}

LinearLowering plan_linear_lowering(std::string node, const Linear& layer,
                                    const SparseLoweringPolicy& policy) {
  const std::span<const float> weight = layer.weight().value.values();
  LinearLowering plan;
  plan.node = std::move(node);
  plan.out_features = layer.out_features();
  plan.in_features = layer.in_features();
  plan.nonzeros = count_nonzeros(weight);
  plan.sparsity = zero_fraction(plan.nonzeros, plan.out_features * plan.in_features);
  plan.format = choose_linear_format(weight, plan.out_features, plan.in_features, policy);
  plan.weight_bytes =
      format_weight_bytes(plan.format, plan.out_features, plan.in_features, plan.nonzeros);
  return plan;
}

std::vector<LinearLowering> plan_sparse_lowering(const Model& model,
                                                 const SparseLoweringPolicy& policy) {
  std::vector<LinearLowering> plans;
  for (const Node& node : model.nodes()) {
    const Linear* linear = sparse_lowerable_linear(node);
    if (linear) plans.push_back(plan_linear_lowering(node.name, *linear, policy));
  }
  return plans;
}

nlohmann::json sparse_lowering_json(std::span<const LinearLowering> lowering) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LinearLowering& plan : lowering) {
    layers.push_back({{"node", plan.node},
                      {"format", sparse_format_name(plan.format)},
                      {"out", plan.out_features},
                      {"in", plan.in_features},
                      {"nonzeros", plan.nonzeros},
                      {"sparsity", plan.sparsity},
                      {"weight_bytes", plan.weight_bytes}});
  }
  return layers;
}

nlohmann::json describe_sparse_lowering(const Model& model, const SparseLoweringPolicy& policy) {
  return sparse_lowering_json(plan_sparse_lowering(model, policy));
}

}  // namespace slim
