// Weight fake quantization for QAT layers: STE on the static graph's own quantizer, or
// LSQ's learned scales (weight_fake_quant.h).
#include "methods/quantization/qat/weight_fake_quant.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/error.h"
#include "methods/quantization/qat/lsq.h"

namespace slim {

WeightFakeQuant::WeightFakeQuant(const WeightQuantOptions& options, QatEstimator estimator,
                                 int64_t rows, int64_t cols)
    : enabled_(true), estimator_(estimator), options_(options), rows_(rows), cols_(cols) {}

WeightFakeQuant WeightFakeQuant::ste(const WeightQuantOptions& options, int64_t rows,
                                     int64_t cols) {
  return WeightFakeQuant(options, QatEstimator::kSte, rows, cols);
}

WeightFakeQuant WeightFakeQuant::lsq(const WeightQuantOptions& options,
                                     std::span<const float> weights, int64_t rows, int64_t cols,
                                     LsqInit init) {
  if (!options.range.is_signed) {
    fail("qat: estimator 'lsq' learns symmetric weight scales; set weight_signed to true");
  }
  WeightFakeQuant quant(options, QatEstimator::kLsq, rows, cols);
  const int64_t slices = quant.slice_count();
  if (init == LsqInit::kCalibrated) {
    WeightQuantOptions symmetric = options;
    if (symmetric.calibrator == Calibrator::kMinMax) symmetric.calibrator = Calibrator::kAbsMax;
    const auto calibrated = quantize_weight(weights, rows, cols, symmetric);
    // Slices and the quantizer's scales share one row-major order; a per-tensor grid
    // repeats its one scale on every row.
    quant.scales_.value = Tensor({slices});
    for (int64_t s = 0; s < slices; ++s) {
      quant.scales_.value[s] =
          std::max(calibrated->scales()[static_cast<size_t>(s)], lsq_min_scale());
    }
    return quant;
  }
  const int32_t positive = std::max(options.range.qmax(), 1);
  // Gather each slice's weights (a per-group slice is not contiguous across rows).
  std::vector<std::vector<float>> members(static_cast<size_t>(slices));
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t col = 0; col < cols; ++col) {
      members[static_cast<size_t>(quant.slice_of(row, col))].push_back(weights[row * cols + col]);
    }
  }
  quant.scales_.value = Tensor({slices});
  for (int64_t s = 0; s < slices; ++s) {
    quant.scales_.value[s] = lsq_initial_scale(members[static_cast<size_t>(s)], positive);
  }
  return quant;
}

int64_t WeightFakeQuant::columns_per_slice() const {
  return options_.granularity == Granularity::kPerGroup ? options_.group_size : cols_;
}

int64_t WeightFakeQuant::slices_per_row() const {
  return (cols_ + columns_per_slice() - 1) / columns_per_slice();
}

int64_t WeightFakeQuant::slice_count() const {
  return options_.granularity == Granularity::kPerTensor ? 1 : rows_ * slices_per_row();
}

int64_t WeightFakeQuant::slice_of(int64_t row, int64_t col) const {
  if (options_.granularity == Granularity::kPerTensor) return 0;
  return row * slices_per_row() + col / columns_per_slice();
}

int64_t WeightFakeQuant::slice_size(int64_t slice) const {
  if (options_.granularity == Granularity::kPerTensor) return rows_ * cols_;
  const int64_t first_col = (slice % slices_per_row()) * columns_per_slice();
  return std::min(columns_per_slice(), cols_ - first_col);
}

ActivationQuant WeightFakeQuant::learned_grid(int64_t slice) const {
  return ActivationQuant{.scale = std::max(scales_.value[slice], lsq_min_scale()),
                         .zero_point = 0,
                         .qmin = options_.range.qmin(),
                         .qmax = options_.range.qmax(),
                         .rounding = options_.rounding};
}

void WeightFakeQuant::calibrate_grids(std::span<const float> weights) {
  const std::shared_ptr<const QuantizedWeight> coded =
      quantize_weight(weights, rows_, cols_, options_);
  grids_.resize(static_cast<size_t>(slice_count()));
  for (int64_t s = 0; s < slice_count(); ++s) {
    const int64_t row = s / slices_per_row(), group = s % slices_per_row();
    grids_[static_cast<size_t>(s)] = ActivationQuant{.scale = coded->scale(row, group),
                                                     .zero_point = coded->zero_point(row, group),
                                                     .qmin = coded->qmin(),
                                                     .qmax = coded->qmax(),
                                                     .rounding = options_.rounding};
  }
}

void WeightFakeQuant::learn_grids() {
  grids_.resize(static_cast<size_t>(slice_count()));
  for (int64_t s = 0; s < slice_count(); ++s) grids_[static_cast<size_t>(s)] = learned_grid(s);
}

void WeightFakeQuant::forward(std::span<const float> weights, std::span<float> out) {
  if (!enabled_) {
    std::copy(weights.begin(), weights.end(), out.begin());
    return;
  }
  if (estimator_ == QatEstimator::kLsq) {
    learn_grids();
  } else {
    calibrate_grids(weights);
  }
  inside_.resize(weights.size());
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < rows_; ++row) {
    for (int64_t col = 0; col < cols_; ++col) {
      const int64_t i = row * cols_ + col;
      const FakeQuantized q =
          fake_quantize_element(weights[i], grids_[static_cast<size_t>(slice_of(row, col))]);
      out[i] = q.value;
      inside_[static_cast<size_t>(i)] = q.inside;
    }
  }
}

void WeightFakeQuant::backward(std::span<const float> weights,
                               std::span<const float> grad_quantized,
                               std::span<float> grad_weights) {
  if (!enabled_) {
    std::copy(grad_quantized.begin(), grad_quantized.end(), grad_weights.begin());
    return;
  }
  for (size_t i = 0; i < grad_weights.size(); ++i) {
    grad_weights[i] = inside_[i] ? grad_quantized[i] : 0.0f;
  }
  if (estimator_ != QatEstimator::kLsq) return;
  // Serial, in double: a reduction is never split across threads (determinism).
  std::vector<double> sums(static_cast<size_t>(slice_count()), 0.0);
  for (int64_t row = 0; row < rows_; ++row) {
    for (int64_t col = 0; col < cols_; ++col) {
      const int64_t i = row * cols_ + col;
      const auto slice = static_cast<size_t>(slice_of(row, col));
      sums[slice] +=
          static_cast<double>(grad_quantized[i]) * lsq_scale_derivative(weights[i], grids_[slice]);
    }
  }
  if (scales_.grad.empty()) scales_.grad = Tensor(scales_.value.shape());
  for (int64_t s = 0; s < slice_count(); ++s) {
    const ActivationQuant& grid = grids_[static_cast<size_t>(s)];
    const float g = lsq_gradient_scale(slice_size(s), lsq_positive_codes(grid));
    scales_.grad[s] += static_cast<float>(sums[static_cast<size_t>(s)]) * g;
  }
}

std::shared_ptr<const QuantizedWeight> WeightFakeQuant::learned_encoding(
    std::span<const float> weights) const {
  if (estimator_ != QatEstimator::kLsq) {
    throw std::logic_error("learned_encoding: only LSQ learns weight scales");
  }
  std::vector<int8_t> codes(weights.size());
  for (int64_t row = 0; row < rows_; ++row) {
    for (int64_t col = 0; col < cols_; ++col) {
      const int64_t i = row * cols_ + col;
      codes[static_cast<size_t>(i)] =
          static_cast<int8_t>(quantize_activation(weights[i], learned_grid(slice_of(row, col))));
    }
  }
  // QuantizedWeight keeps one scale per [row][group], even when slices span rows.
  std::vector<float> scales;
  for (int64_t row = 0; row < rows_; ++row) {
    for (int64_t group = 0; group < slices_per_row(); ++group) {
      scales.push_back(learned_grid(slice_of(row, group * columns_per_slice())).scale);
    }
  }
  std::vector<int32_t> zero_points(scales.size(), 0);
  return std::make_shared<const QuantizedWeight>(options_.range, options_.granularity, rows_, cols_,
                                                 columns_per_slice(), std::move(codes),
                                                 std::move(scales), std::move(zero_points));
}

void WeightFakeQuant::keep_scales_positive() {
  if (estimator_ != QatEstimator::kLsq) return;
  for (float& scale : scales_.value.values()) scale = std::max(scale, lsq_min_scale());
}

nlohmann::json WeightFakeQuant::describe() const {
  if (!enabled_) return nullptr;
  return {{"estimator", estimator_name(estimator_)},
          {"bits", options_.range.bits},
          {"granularity", granularity_name(options_.granularity)}};
}

}  // namespace slim
