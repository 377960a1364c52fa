#include "methods/pruning/sparsity_report.h"

namespace slim {
namespace {

int64_t nonzero_parameters(Model& model) {
  int64_t count = 0;
  for (const auto& [name, parameter] : model.parameters()) {
    for (float v : std::as_const(parameter->value).values()) count += v != 0.0f;
  }
  return count;
}

double ratio(int64_t numerator, int64_t denominator) {
  return denominator > 0 ? static_cast<double>(numerator) / static_cast<double>(denominator) : 0.0;
}

}  // namespace

nlohmann::json sparsity_report(Model& model, std::span<const PrunableWeight> weights) {
  nlohmann::json layers = nlohmann::json::array();
  int64_t total = 0, kept = 0;
  for (const PrunableWeight& weight : weights) {
    const int64_t layer_kept = kept_count(weight);
    layers.push_back({{"name", weight.name},
                      {"weights", weight.numel()},
                      {"kept", layer_kept},
                      {"kept_fraction", ratio(layer_kept, weight.numel())}});
    total += weight.numel();
    kept += layer_kept;
  }
  const int64_t parameters = model.parameter_count();
  const int64_t nonzero = nonzero_parameters(model);
  return {{"layers", std::move(layers)},
          {"weights", total},
          {"kept", kept},
          {"weight_sparsity", 1.0 - ratio(kept, total)},
          {"parameters", parameters},
          {"nonzero_parameters", nonzero},
          {"parameter_ratio", ratio(parameters, nonzero)}};
}

}  // namespace slim
