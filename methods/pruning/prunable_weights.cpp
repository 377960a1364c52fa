#include "methods/pruning/prunable_weights.h"

#include <fmt/format.h>

#include "core/error.h"

namespace slim {

const std::vector<std::string>& layer_selection_names() {
  static const std::vector<std::string> names = {"all", "conv", "linear"};
  return names;
}

LayerSelection parse_layer_selection(std::string_view name) {
  if (name == "all") return LayerSelection::kAll;
  if (name == "conv") return LayerSelection::kConv;
  if (name == "linear") return LayerSelection::kLinear;
  fail("unknown layer selection '{}'; valid choices: {}", name,
       fmt::join(layer_selection_names(), ", "));
}

namespace {

bool selected(std::string_view kind, LayerSelection selection) {
  if (kind != "conv2d" && kind != "linear") return false;
  switch (selection) {
    case LayerSelection::kAll:
      return true;
    case LayerSelection::kConv:
      return kind == "conv2d";
    case LayerSelection::kLinear:
      return kind == "linear";
  }
  return false;
}

Parameter* weight_of(Layer& layer) {
  for (auto& [local, parameter] : layer.parameters()) {
    if (local == "weight") return parameter;
  }
  return nullptr;
}

}  // namespace

std::vector<PrunableWeight> prunable_weights(Model& model, LayerSelection selection) {
  std::vector<PrunableWeight> weights;
  for (const Node& node : model.nodes()) {
    const std::string kind = node.layer->kind();
    if (!selected(kind, selection)) continue;
    Parameter* parameter = weight_of(*node.layer);
    if (parameter == nullptr) continue;
    const Shape& shape = parameter->value.shape();
    const int64_t rows = shape.at(0);
    weights.push_back(
        {node.name + ".weight", node.name, kind, parameter, rows, parameter->value.numel() / rows});
  }
  if (weights.empty()) {
    fail(
        "model '{}' has no {} weights to prune (pruning runs on FP32 conv2d/linear layers, "
        "before quantization)",
        model.architecture(),
        selection == LayerSelection::kAll    ? "conv2d or linear"
        : selection == LayerSelection::kConv ? "conv2d"
                                             : "linear");
  }
  return weights;
}

void ensure_mask(Parameter& parameter) {
  if (parameter.has_mask()) return;
  parameter.mask = Tensor(parameter.value.shape(), 1.0f);
}

int64_t kept_count(const PrunableWeight& weight) {
  const Parameter& parameter = *weight.parameter;
  if (!parameter.has_mask()) return weight.numel();
  int64_t kept = 0;
  for (float m : parameter.mask.values()) kept += m != 0.0f;
  return kept;
}

}  // namespace slim
