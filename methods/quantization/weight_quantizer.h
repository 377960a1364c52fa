// quantize_weight: turns an FP32 weight matrix into a QuantizedWeight, calibrating
// each slice (the whole tensor, each output channel, or each group of consecutive
// inputs; REFERENCE.md, "Granularity") with one of the calibrators (calibrator.h).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "core/quant/affine.h"
#include "core/quant/quantized_weight.h"
#include "methods/quantization/calibration/calibrator.h"

namespace slim {

struct WeightQuantOptions {
  Calibrator calibrator = Calibrator::kAbsMax;
  Granularity granularity = Granularity::kPerChannel;
  int64_t group_size = 32;  // inputs per scale, for kPerGroup only
  QuantRange range{8, true, true};
  Rounding rounding = Rounding::kHalfToEven;
  double percentile = 99.99;  // for Calibrator::kPercentile
};

// `weights` is row-major [rows, cols] (rows = output channels). Per-group slices are
// `group_size` consecutive columns of one row, the last group of a row possibly shorter.
// Weights always use the calibrator's own grid: a non-negative slice is not widened to
// [0, amax], so a symmetric calibrator keeps Z = 0 (or the midpoint, unsigned).
// Throws std::invalid_argument on inconsistent sizes or a non-positive group size.
std::shared_ptr<const QuantizedWeight> quantize_weight(std::span<const float> weights, int64_t rows,
                                                       int64_t cols,
                                                       const WeightQuantOptions& options);

}  // namespace slim
