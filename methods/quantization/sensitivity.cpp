#include "methods/quantization/sensitivity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "datasets/batch_loader.h"

namespace slim {
namespace {

constexpr int64_t kEvalBatch = 500;

// Logits of the whole test split, [count, classes] row-major.
std::vector<float> test_logits(Model& model, const Dataset& dataset) {
  const BatchLoader loader(dataset, dataset.test, BatchOptions{.batch_size = kEvalBatch});
  std::vector<float> logits;
  Batch batch;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const Tensor& out = model.forward(batch.x, ForwardContext{});
    logits.insert(logits.end(), out.values().begin(), out.values().end());
  }
  return logits;
}

double top1_accuracy(const std::vector<float>& logits, const Split& split, int classes) {
  int64_t correct = 0;
  for (int64_t i = 0; i < split.count; ++i) {
    const float* row = logits.data() + i * classes;
    const auto predicted = std::max_element(row, row + classes) - row;
    correct += predicted == split.labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(split.count);
}

double sqnr_db(const std::vector<float>& reference, const std::vector<float>& quantized) {
  double signal = 0.0, noise = 0.0;
  for (size_t i = 0; i < reference.size(); ++i) {
    const double r = reference[i], e = reference[i] - quantized[i];
    signal += r * r;
    noise += e * e;
  }
  if (noise == 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

LayerSensitivity measure(const std::string& label, const Model& folded,
                         const ActivationGrids& grids, const GraphQuantOptions& options,
                         const Dataset& dataset, const std::vector<float>& reference) {
  Model quantized = build_static_quantized(folded, grids, options);
  const std::vector<float> logits = test_logits(quantized, dataset);
  return {label, sqnr_db(reference, logits),
          top1_accuracy(logits, dataset.test, folded.num_classes())};
}

}  // namespace

std::vector<LayerSensitivity> quantization_sensitivity(const Model& folded,
                                                       const ActivationGrids& grids,
                                                       const GraphQuantOptions& options,
                                                       const Dataset& dataset) {
  Model reference_model = folded;
  const std::vector<float> reference = test_logits(reference_model, dataset);
  std::vector<LayerSensitivity> table;
  for (int index : quantized_layer_indices(folded, options)) {
    GraphQuantOptions one_layer = options;
    const std::string& name = folded.nodes()[index].name;
    one_layer.only_layers = {name};
    table.push_back(measure(name, folded, grids, one_layer, dataset, reference));
  }
  table.push_back(measure("all", folded, grids, options, dataset, reference));
  return table;
}

nlohmann::json to_json(const std::vector<LayerSensitivity>& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (const LayerSensitivity& row : table) {
    rows.push_back({{"layer", row.layer}, {"sqnr_db", row.sqnr_db}, {"accuracy", row.accuracy}});
  }
  return rows;
}

std::string format_sensitivity_table(const std::vector<LayerSensitivity>& table) {
  std::string text = fmt::format("{:<24} {:>10} {:>10}\n", "quantized layer", "SQNR dB", "top-1");
  for (const LayerSensitivity& row : table) {
    text +=
        fmt::format("{:<24} {:>10.2f} {:>9.2f}%\n", row.layer, row.sqnr_db, 100.0 * row.accuracy);
  }
  return text;
}

}  // namespace slim
