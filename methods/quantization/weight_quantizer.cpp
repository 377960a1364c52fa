// quantize_weight: per-slice calibration and coding of a weight matrix
// (weight_quantizer.h).
#include "methods/quantization/weight_quantizer.h"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

namespace slim {
namespace {

// QuantizedWeight keeps unsigned b-bit grids shifted by -2^(b-1) so they fit int8.
int32_t unsigned_storage_shift(const QuantRange& range) {
  return range.is_signed ? 0 : -(1 << (range.bits - 1));
}

// How many consecutive columns of a row share one scale.
int64_t slice_width_for(const WeightQuantOptions& options, int64_t cols) {
  if (options.granularity != Granularity::kPerGroup) return cols;
  if (options.group_size <= 0)
    throw std::invalid_argument("quantize_weight: group_size must be > 0");
  return options.group_size;
}

CalibrationOptions weight_calibration_options(const WeightQuantOptions& options) {
  return CalibrationOptions{.kind = options.calibrator,
                            .percentile = options.percentile,
                            .rounding = options.rounding,
                            .full_range_if_nonnegative = false};
}

// Codes one slice into `codes` (same length), in the int8 storage grid.
void encode_slice(std::span<const float> values, const QuantParams& params,
                  const WeightQuantOptions& options, std::span<int8_t> codes) {
  const int32_t shift = unsigned_storage_shift(options.range);
  for (size_t k = 0; k < values.size(); ++k) {
    const int32_t code = quantize_value(values[k], params, options.range, options.rounding);
    codes[k] = static_cast<int8_t>(code + shift);
  }
}

class WeightCoder {
 public:
  WeightCoder(std::span<const float> weights, int64_t rows, int64_t cols,
              const WeightQuantOptions& options)
      : weights_(weights),
        rows_(rows),
        cols_(cols),
        slice_cols_(slice_width_for(options, cols)),
        options_(options),
        codes_(weights.size()) {}

  int64_t groups_per_row() const { return (cols_ + slice_cols_ - 1) / slice_cols_; }

  std::shared_ptr<const QuantizedWeight> run() {
    if (options_.granularity == Granularity::kPerTensor) {
      code_per_tensor();
    } else {
      for (int64_t row = 0; row < rows_; ++row) {
        for (int64_t group = 0; group < groups_per_row(); ++group) code_slice(row, group);
      }
    }
    return std::make_shared<const QuantizedWeight>(options_.range, options_.granularity, rows_,
                                                   cols_, slice_cols_, std::move(codes_),
                                                   std::move(scales_), std::move(zero_points_));
  }

 private:
  // One grid for everything, repeated per row so kernels index every granularity alike.
  void code_per_tensor() {
    const QuantParams params =
        calibrate_values(weights_, options_.range, weight_calibration_options(options_));
    encode_slice(weights_, params, options_, codes_);
    for (int64_t row = 0; row < rows_; ++row) record(params);
  }

  void code_slice(int64_t row, int64_t group) {
    const int64_t begin = row * cols_ + group * slice_cols_;
    const int64_t length = std::min(slice_cols_, cols_ - group * slice_cols_);
    const auto values = weights_.subspan(static_cast<size_t>(begin), static_cast<size_t>(length));
    const QuantParams params =
        calibrate_values(values, options_.range, weight_calibration_options(options_));
    encode_slice(values, params, options_,
                 std::span<int8_t>(codes_).subspan(static_cast<size_t>(begin), values.size()));
    record(params);
  }

  void record(const QuantParams& params) {
    scales_.push_back(params.scale);
    zero_points_.push_back(params.zero_point + unsigned_storage_shift(options_.range));
  }

  std::span<const float> weights_;
  int64_t rows_;
  int64_t cols_;
  int64_t slice_cols_;
  const WeightQuantOptions& options_;
  std::vector<int8_t> codes_;
  std::vector<float> scales_;
  std::vector<int32_t> zero_points_;
};

}  // namespace

std::shared_ptr<const QuantizedWeight> quantize_weight(std::span<const float> weights, int64_t rows,
                                                       int64_t cols,
                                                       const WeightQuantOptions& options) {
  if (rows <= 0 || cols <= 0 || static_cast<int64_t>(weights.size()) != rows * cols) {
    throw std::invalid_argument("quantize_weight: weights must hold rows * cols > 0 values");
  }
  if (options.range.bits < 2 || options.range.bits > 8) {
    throw std::invalid_argument("quantize_weight: bits must be in [2, 8]");
  }
  return WeightCoder(weights, rows, cols, options).run();
}

}  // namespace slim
