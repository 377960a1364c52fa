#include "methods/pruning/prune_sensitivity.h"

#include <fmt/format.h>

#include <charconv>
#include <string>

#include "core/error.h"
#include "methods/pruning/importance.h"
#include "methods/pruning/mask_selection.h"
#include "methods/pruning/sparsity_report.h"
#include "methods/pruning/subset_accuracy.h"

namespace slim {
namespace {

constexpr char kDefaultPoints[] = "0.5,0.7,0.8,0.9,0.95,0.98";

std::string_view trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Magnitude-prunes one weight (only it) to `sparsity`.
void prune_one(const PrunableWeight& weight, double sparsity) {
  const std::span<const PrunableWeight> one(&weight, 1);
  prune_to_sparsity(one, magnitude_scores(one), sparsity, ThresholdScope::kLayerwise);
}

SensitivityCurve layer_curve(Model& probe, const PrunableWeight& weight,
                             std::span<const double> points, const Dataset& dataset,
                             std::span<const int64_t> indices) {
  SensitivityCurve layer{weight.name, weight.numel(), {}};
  Parameter& parameter = *weight.parameter;
  const Tensor value = parameter.value, mask = parameter.mask;
  std::vector<double> sparsities = {0.0};
  sparsities.insert(sparsities.end(), points.begin(), points.end());
  for (double sparsity : sparsities) {
    prune_one(weight, sparsity);
    layer.curve.push_back({sparsity, subset_accuracy(probe, dataset, indices)});
    parameter.value = value;
    parameter.mask = mask;
  }
  return layer;
}

std::string format_curves(const PruneSensitivity& table) {
  std::string text = fmt::format("{:<20} {:>9}", "pruned layer", "weights");
  for (const SensitivityPoint& point : table.layers.front().curve) {
    text += fmt::format(" {:>7.2f}", point.sparsity);
  }
  text += "\n";
  for (const SensitivityCurve& layer : table.layers) {
    text += fmt::format("{:<20} {:>9}", layer.name, layer.weights);
    for (const SensitivityPoint& point : layer.curve) {
      text += fmt::format(" {:>6.2f}%", 100.0 * point.accuracy);
    }
    text += "\n";
  }
  return text;
}

nlohmann::json curve_json(const SensitivityCurve& layer) {
  nlohmann::json curve = nlohmann::json::array();
  for (const SensitivityPoint& point : layer.curve) {
    curve.push_back({{"sparsity", point.sparsity}, {"accuracy", point.accuracy}});
  }
  return curve;
}

void apply_prune_sensitivity(Model& model, const nlohmann::json& params, MethodContext& context) {
  const std::vector<double> points = parse_sparsity_points(params.at("points").get<std::string>());
  const LayerSelection selection = parse_layer_selection(params.at("layers").get<std::string>());
  const bool allocate = params.at("allocate").get<bool>();
  const double target = params.at("sparsity").get<double>();
  if (allocate && target > points.back()) {
    fail(
        "prune_sensitivity: sparsity {} is above the largest point {}; no layer could be "
        "pruned that far from what is measured",
        target, points.back());
  }
  const PruneSensitivity table = measure_prune_sensitivity(
      model, selection, points, context.dataset, context.calibration_indices);
  fmt::print(context.log, "prune_sensitivity: top-1 on {} train samples, reference {:.2f}%\n{}",
             context.calibration_indices.size(), 100.0 * table.reference_accuracy,
             format_curves(table));

  const std::vector<PrunableWeight> weights = prunable_weights(model, selection);
  SparsityAllocation allocation;
  if (allocate) {
    allocation = allocate_sparsity(table.layers, table.reference_accuracy, target);
    for (size_t i = 0; i < weights.size(); ++i) prune_one(weights[i], allocation.sparsity[i]);
  }

  nlohmann::json report = sparsity_report(model, weights);
  for (size_t i = 0; i < weights.size(); ++i) {
    nlohmann::json& layer = report.at("layers").at(i);
    layer["curve"] = curve_json(table.layers[i]);
    if (allocate) layer["allocated_sparsity"] = allocation.sparsity[i];
  }
  report["reference_accuracy"] = table.reference_accuracy;
  report["samples"] = context.calibration_indices.size();
  report["points"] = points;
  if (allocate) {
    report["target_sparsity"] = params.at("sparsity");
    report["predicted_drop"] = allocation.predicted_drop;
    report["marginal_drop_per_weight"] = allocation.marginal_drop_per_weight;
    const double after = subset_accuracy(model, context.dataset, context.calibration_indices);
    report["accuracy_after_allocation"] = after;
    fmt::print(context.log,
               "prune_sensitivity: allocated {:.4f} weight sparsity (predicted drop {:.4f} if "
               "the layers' drops added); top-1 on the same samples {:.2f}%\n",
               report.at("weight_sparsity").get<double>(), allocation.predicted_drop,
               100.0 * after);
  }
  context.report["prune_sensitivity"] = std::move(report);
}

}  // namespace

std::vector<double> parse_sparsity_points(std::string_view text) {
  std::vector<double> points;
  for (size_t start = 0; start <= text.size();) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = trimmed(text.substr(start, comma - start));
    double value = 0.0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || error != std::errc() || end != item.data() + item.size()) {
      fail("sparsity points '{}': '{}' is not a number (expected e.g. \"{}\")", text, item,
           kDefaultPoints);
    }
    if (!(value > 0.0 && value < 1.0)) {
      fail("sparsity points '{}': {} is not in (0, 1)", text, value);
    }
    if (!points.empty() && !(value > points.back())) {
      fail("sparsity points '{}': must be strictly ascending", text);
    }
    points.push_back(value);
    start = comma + 1;
  }
  return points;
}

PruneSensitivity measure_prune_sensitivity(const Model& model, LayerSelection layers,
                                           std::span<const double> points, const Dataset& dataset,
                                           std::span<const int64_t> indices) {
  Model probe = model;
  PruneSensitivity table;
  table.reference_accuracy = subset_accuracy(probe, dataset, indices);
  for (const PrunableWeight& weight : prunable_weights(probe, layers)) {
    table.layers.push_back(layer_curve(probe, weight, points, dataset, indices));
  }
  return table;
}

Method prune_sensitivity_method() {
  return Method{
      .name = "prune_sensitivity",
      .family = MethodFamily::kPruning,
      .description = "per-layer pruning sensitivity on train samples; allocate sparsity from it",
      .params =
          {
              choice_param("points", kDefaultPoints, {},
                           "comma-separated sparsities each layer is measured at"),
              bool_param("allocate", true,
                         "prune to per-layer sparsities from the curves (else report only)"),
              number_param("sparsity", 0.9, 0.0, 0.999,
                           "overall target over the selected weights, when allocating"),
              choice_param("layers", "all", layer_selection_names(), "which weights are measured"),
          },
      .apply = apply_prune_sensitivity,
  };
}

}  // namespace slim
