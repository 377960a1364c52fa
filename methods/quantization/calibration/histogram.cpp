// RangeStats and AbsHistogram: the per-tensor statistics of calibration (histogram.h).
#include "methods/quantization/calibration/histogram.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "core/error.h"

namespace slim {
namespace {

void require_finite_sample(float value) {
  if (!std::isfinite(value)) fail("calibration saw a non-finite value ({})", value);
}

}  // namespace

void RangeStats::observe(std::span<const float> values) {
  for (const float value : values) {
    require_finite_sample(value);
    min = std::min(min, value);
    max = std::max(max, value);
  }
  count += static_cast<int64_t>(values.size());
}

void RangeStats::merge(const RangeStats& other) {
  min = std::min(min, other.min);
  max = std::max(max, other.max);
  count += other.count;
}

float RangeStats::abs_max() const {
  return empty() ? 0.0f : std::max(std::fabs(min), std::fabs(max));
}

AbsHistogram::AbsHistogram(float amax, int64_t bins) : amax_(amax), bins_per_unit_(0.0), counts_() {
  if (!std::isfinite(amax) || amax < 0.0f) {
    throw std::invalid_argument("AbsHistogram: amax must be finite and non-negative");
  }
  if (bins < 1) throw std::invalid_argument("AbsHistogram: need at least one bin");
  counts_.assign(static_cast<size_t>(bins), 0);
  if (amax > 0.0f) bins_per_unit_ = static_cast<double>(bins) / static_cast<double>(amax);
}

AbsHistogram AbsHistogram::from_counts(float amax, std::vector<int64_t> counts) {
  AbsHistogram histogram(amax, static_cast<int64_t>(counts.size()));
  if (std::any_of(counts.begin(), counts.end(), [](int64_t c) { return c < 0; })) {
    throw std::invalid_argument("AbsHistogram: negative count");
  }
  histogram.total_ = std::accumulate(counts.begin(), counts.end(), int64_t{0});
  histogram.counts_ = std::move(counts);
  return histogram;
}

int64_t AbsHistogram::bin_of(float magnitude) const {
  // Computed in double from the value alone, so the bin never depends on the batch.
  const double position = static_cast<double>(magnitude) * bins_per_unit_;
  const auto last = static_cast<double>(bins() - 1);
  return static_cast<int64_t>(std::min(position, last));
}

void AbsHistogram::add(std::span<const float> values) {
  for (const float value : values) {
    require_finite_sample(value);
    ++counts_[static_cast<size_t>(bin_of(std::fabs(value)))];
  }
  total_ += static_cast<int64_t>(values.size());
}

void AbsHistogram::merge(const AbsHistogram& other) {
  if (other.amax_ != amax_ || other.bins() != bins()) {
    throw std::invalid_argument(
        "AbsHistogram::merge: histograms must share amax and bin count (fix the range "
        "from one max pass before histogramming)");
  }
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
}

float AbsHistogram::edge(int64_t i) const {
  return static_cast<float>(static_cast<double>(amax_) * static_cast<double>(i) /
                            static_cast<double>(bins()));
}

}  // namespace slim
