// Which activation calibrator fits this model best? For every tensor that static PTQ
// quantizes, the squared error each calibrator's int8 grid adds to it, measured exactly
// (not from the histogram) over the calibration samples:
//   mse[c] = mean over all elements x of (fake_quantize_c(x) - x)^2.
// This is the quantity the kl, percentile and mse calibrators trade clipping against
// resolution for; on heavy-tailed activations they should beat abs_max.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "core/model.h"
#include "datasets/dataset.h"
#include "methods/quantization/calibration/calibrator.h"

namespace slim {

struct CalibratorErrors {
  std::string tensor;       // "input" or the producing node's name
  int64_t elements = 0;     // values measured, over all samples
  double abs_max = 0.0;     // max |x| seen, for scale
  std::vector<double> mse;  // per calibrator, in calibrator_names() order
};

// `points` are node indices of `folded` (-1 is the model input), as static_grid_points
// gives them. `base` supplies the percentile, rounding and non-negative handling; its
// kind is replaced by each calibrator in turn.
std::vector<CalibratorErrors> compare_activation_calibrators(Model& folded, const Dataset& dataset,
                                                             std::span<const int64_t> indices,
                                                             const CalibrationOptions& base,
                                                             const std::vector<int>& points);

nlohmann::json to_json(const std::vector<CalibratorErrors>& table);
std::string format_calibrator_table(const std::vector<CalibratorErrors>& table);

}  // namespace slim
