// Calibrators: how the grid (scale, zero point) of one tensor is chosen from the values
// it takes over a calibration set (REFERENCE.md, "Quantization mapping" and "KL /
// entropy calibration").
//
//   abs_max     symmetric, S = max|x| / qmax (never clips)
//   min_max     affine, PyTorch's observer formula over [min, max]
//   kl          symmetric, amax = the TensorRT entropy threshold   (thresholds.h)
//   percentile  symmetric, amax = the p-th percentile of |x|       (thresholds.h)
//   mse         symmetric, amax minimising the expected squared error (thresholds.h)
//
// A TensorCalibration follows one tensor through two passes over the same batches:
//   pass 1: observe_range(batch) for every batch            (min / max / count)
//   begin_histogram()                                        (fixes the range)
//   pass 2: observe_histogram(batch) for every batch         (only if needs_histogram)
// then params(). Fixing the range before histogramming keeps the result independent of
// batch size and order.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/quant/affine.h"
#include "methods/quantization/calibration/histogram.h"

namespace slim {

enum class Calibrator { kAbsMax, kMinMax, kKl, kPercentile, kMse };

// {"abs_max", "min_max", "kl", "percentile", "mse"}, in enum order.
std::vector<std::string> calibrator_names();
std::string_view calibrator_name(Calibrator calibrator);
// Throws a UserError listing the valid names.
Calibrator parse_calibrator(std::string_view name);
// kl, percentile and mse need pass 2.
bool needs_histogram(Calibrator calibrator);
// Every calibrator but min_max centres the grid on zero.
bool is_symmetric(Calibrator calibrator);

struct CalibrationOptions {
  Calibrator kind = Calibrator::kAbsMax;
  double percentile = 99.99;  // for kPercentile
  Rounding rounding = Rounding::kHalfToEven;
  // A tensor that calibration saw non-negative (e.g. after a ReLU) gets the affine grid
  // [0, amax] instead of the symmetric [-amax, amax]: the symmetric grid would spend half
  // its codes on negative values that never occur, doubling the step for nothing.
  // Applies to the symmetric calibrators only; min_max already fits [0, max]. The
  // threshold searches themselves (kl with nq = 2^(bits-1), mse on the abs_max grid) do
  // not change: only the grid built from their amax does.
  bool full_range_if_nonnegative = true;
};

class TensorCalibration {
 public:
  explicit TensorCalibration(int64_t histogram_bins = kDefaultHistogramBins);

  // Pass 1. Throws std::logic_error once the histogram pass has begun.
  void observe_range(std::span<const float> values);
  // Freezes the range and starts an empty histogram over [0, max|x|].
  void begin_histogram();
  // Pass 2. Throws std::logic_error unless begin_histogram() was called.
  void observe_histogram(std::span<const float> values);

  const RangeStats& range() const { return range_; }
  // The histogram of pass 2, if begun.
  const std::optional<AbsHistogram>& histogram() const { return histogram_; }

  // The grid for `range` by `options.kind`. Throws a UserError naming the calibrator if
  // it saw no data (no scale is invented), and std::logic_error if a histogram
  // calibrator is asked before begin_histogram().
  QuantParams params(const QuantRange& range, const CalibrationOptions& options) const;

 private:
  float threshold(const QuantRange& range, const CalibrationOptions& options) const;

  int64_t histogram_bins_;
  RangeStats range_;
  std::optional<AbsHistogram> histogram_;
};

// Both passes over one in-memory array (e.g. a weight slice).
QuantParams calibrate_values(std::span<const float> values, const QuantRange& range,
                             const CalibrationOptions& options);

}  // namespace slim
