#include "methods/quantization/calibrator_comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/quant/activation_quant.h"
#include "datasets/batch_loader.h"
#include "methods/quantization/activation_calibration.h"

namespace slim {
namespace {

constexpr int64_t kBatchSize = 256;

std::vector<Calibrator> all_calibrators() {
  std::vector<Calibrator> result;
  for (const std::string& name : calibrator_names()) result.push_back(parse_calibrator(name));
  return result;
}

// grids[p][c]: the grid of point p under calibrator c.
std::vector<std::vector<ActivationQuant>> grids_per_point(
    const std::vector<TensorCalibration>& observed, const CalibrationOptions& base,
    const std::vector<int>& points) {
  std::vector<std::vector<ActivationQuant>> grids;
  for (const int point : points) {
    std::vector<ActivationQuant> per_calibrator;
    for (const Calibrator calibrator : all_calibrators()) {
      CalibrationOptions options = base;
      options.kind = calibrator;
      per_calibrator.push_back(
          activation_grid(observed.at(static_cast<size_t>(point + 1)), options));
    }
    grids.push_back(std::move(per_calibrator));
  }
  return grids;
}

// Adds sum (fake_quantize(x) - x)^2 for each grid to `sums`.
void accumulate_errors(std::span<const float> values, const std::vector<ActivationQuant>& grids,
                       std::vector<float>& scratch, std::vector<double>& sums) {
  for (size_t c = 0; c < grids.size(); ++c) {
    scratch.assign(values.begin(), values.end());
    fake_quantize(scratch, grids[c]);
    double sum = 0.0;
    for (size_t i = 0; i < values.size(); ++i) {
      const double error = static_cast<double>(scratch[i]) - values[i];
      sum += error * error;
    }
    sums[c] += sum;
  }
}

double max_abs(std::span<const float> values) {
  float result = 0.0F;
  for (const float x : values) result = std::max(result, std::abs(x));
  return result;
}

}  // namespace

std::vector<CalibratorErrors> compare_activation_calibrators(Model& folded, const Dataset& dataset,
                                                             std::span<const int64_t> indices,
                                                             const CalibrationOptions& base,
                                                             const std::vector<int>& points) {
  const std::vector<TensorCalibration> observed =
      observe_activations(folded, dataset, indices, /*with_histograms=*/true, kBatchSize);
  const auto grids = grids_per_point(observed, base, points);

  std::vector<CalibratorErrors> table;
  for (const int point : points) {
    table.push_back(CalibratorErrors{
        .tensor = point < 0 ? "input" : folded.nodes()[static_cast<size_t>(point)].name,
        .mse = std::vector<double>(calibrator_names().size(), 0.0)});
  }
  const BatchLoader loader(dataset, dataset.train, {indices.begin(), indices.end()},
                           BatchOptions{.batch_size = kBatchSize});
  Batch batch;
  std::vector<float> scratch;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    folded.forward(batch.x, ForwardContext{Mode::kEval, nullptr});
    for (size_t p = 0; p < points.size(); ++p) {
      const std::span<const float> values =
          points[p] < 0 ? std::as_const(batch.x).values() : folded.activation(points[p]).values();
      accumulate_errors(values, grids[p], scratch, table[p].mse);
      table[p].elements += static_cast<int64_t>(values.size());
      table[p].abs_max = std::max(table[p].abs_max, max_abs(values));
    }
  }
  for (CalibratorErrors& row : table) {
    for (double& sum : row.mse) sum /= static_cast<double>(std::max<int64_t>(row.elements, 1));
  }
  return table;
}

nlohmann::json to_json(const std::vector<CalibratorErrors>& table) {
  nlohmann::json rows = nlohmann::json::array();
  const std::vector<std::string> names = calibrator_names();
  for (const CalibratorErrors& row : table) {
    nlohmann::json mse;
    for (size_t c = 0; c < names.size(); ++c) mse[names[c]] = row.mse[c];
    rows.push_back({{"tensor", row.tensor},
                    {"elements", row.elements},
                    {"abs_max", row.abs_max},
                    {"mse", mse}});
  }
  return rows;
}

std::string format_calibrator_table(const std::vector<CalibratorErrors>& table) {
  std::string text = fmt::format("{:<16} {:>9}", "tensor", "max|x|");
  for (const std::string& name : calibrator_names()) text += fmt::format(" {:>11}", name);
  text += "\n";
  for (const CalibratorErrors& row : table) {
    text += fmt::format("{:<16} {:>9.3f}", row.tensor, row.abs_max);
    for (const double mse : row.mse) text += fmt::format(" {:>11.3e}", mse);
    text += "\n";
  }
  return text;
}

}  // namespace slim
