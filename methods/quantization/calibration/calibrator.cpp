// The calibrator table and TensorCalibration, the two-pass observer of one tensor
// (calibrator.h).
#include "methods/quantization/calibration/calibrator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cmath>
#include <stdexcept>

#include "core/error.h"
#include "methods/quantization/calibration/thresholds.h"

namespace slim {
namespace {

// Indexed by Calibrator; the static_assert keeps the table and the enum in step.
constexpr std::array<std::string_view, 5> kCalibratorNames = {"abs_max", "min_max", "kl",
                                                              "percentile", "mse"};
static_assert(kCalibratorNames.size() == static_cast<size_t>(Calibrator::kMse) + 1);

[[noreturn]] void fail_no_data(Calibrator kind, std::string_view pass) {
  fail(
      "calibrator '{}' saw no data in its {} pass: the calibration set gave this tensor no "
      "values, and no scale is invented without them",
      calibrator_name(kind), pass);
}

}  // namespace

std::vector<std::string> calibrator_names() {
  return {kCalibratorNames.begin(), kCalibratorNames.end()};
}

std::string_view calibrator_name(Calibrator calibrator) {
  return kCalibratorNames.at(static_cast<size_t>(calibrator));
}

Calibrator parse_calibrator(std::string_view name) {
  for (size_t i = 0; i < kCalibratorNames.size(); ++i) {
    if (kCalibratorNames[i] == name) return static_cast<Calibrator>(i);
  }
  fail("unknown calibrator '{}' (expected one of: {})", name, fmt::join(kCalibratorNames, ", "));
}

bool needs_histogram(Calibrator calibrator) {
  return calibrator == Calibrator::kKl || calibrator == Calibrator::kPercentile ||
         calibrator == Calibrator::kMse;
}

bool is_symmetric(Calibrator calibrator) {
  return calibrator != Calibrator::kMinMax;
}

TensorCalibration::TensorCalibration(int64_t histogram_bins) : histogram_bins_(histogram_bins) {
  if (histogram_bins < 2) throw std::invalid_argument("TensorCalibration: need >= 2 bins");
}

void TensorCalibration::observe_range(std::span<const float> values) {
  if (histogram_) {
    throw std::logic_error("TensorCalibration: observe_range() after begin_histogram()");
  }
  range_.observe(values);
}

void TensorCalibration::begin_histogram() {
  histogram_.emplace(range_.abs_max(), histogram_bins_);
}

void TensorCalibration::observe_histogram(std::span<const float> values) {
  if (!histogram_) {
    throw std::logic_error("TensorCalibration: observe_histogram() before begin_histogram()");
  }
  histogram_->add(values);
}

float TensorCalibration::threshold(const QuantRange& range,
                                   const CalibrationOptions& options) const {
  if (!needs_histogram(options.kind)) return range_.abs_max();
  if (!histogram_) {
    throw std::logic_error(fmt::format(
        "TensorCalibration: calibrator '{}' needs begin_histogram() and a histogram pass",
        calibrator_name(options.kind)));
  }
  if (histogram_->total() == 0) fail_no_data(options.kind, "histogram");
  switch (options.kind) {
    case Calibrator::kKl:
      return kl_threshold(*histogram_, range.bits);
    case Calibrator::kPercentile:
      return percentile_threshold(*histogram_, options.percentile);
    case Calibrator::kMse:
      return mse_threshold(*histogram_, range, options.rounding);
    default:
      break;
  }
  throw std::logic_error("TensorCalibration: unhandled calibrator");
}

QuantParams TensorCalibration::params(const QuantRange& range,
                                      const CalibrationOptions& options) const {
  if (range_.empty()) fail_no_data(options.kind, "range");
  if (!is_symmetric(options.kind)) return min_max_params(range_.min, range_.max, range);
  const float amax = threshold(range, options);
  if (options.full_range_if_nonnegative && range_.min >= 0.0f) {
    return min_max_params(0.0f, amax, range);
  }
  return abs_max_params(amax, range);
}

QuantParams calibrate_values(std::span<const float> values, const QuantRange& range,
                             const CalibrationOptions& options) {
  TensorCalibration calibration;
  calibration.observe_range(values);
  if (needs_histogram(options.kind)) {
    calibration.begin_histogram();
    calibration.observe_histogram(values);
  }
  return calibration.params(range, options);
}

}  // namespace slim
