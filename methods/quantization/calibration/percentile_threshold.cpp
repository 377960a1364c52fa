// percentile_threshold: the clipping threshold that keeps a given fraction of |x|
// (thresholds.h).
#include <stdexcept>

#include "methods/quantization/calibration/thresholds.h"

namespace slim {

int64_t percentile_threshold_bin(const AbsHistogram& histogram, double percentile) {
  if (!(percentile >= 0.0 && percentile <= 100.0)) {
    throw std::invalid_argument("percentile_threshold: percentile must be in [0, 100]");
  }
  if (histogram.total() == 0) throw std::invalid_argument("percentile_threshold: empty histogram");
  // cumulative / total >= percentile / 100, cross-multiplied to keep the counts exact.
  const double needed = percentile * static_cast<double>(histogram.total());
  const std::span<const int64_t> counts = histogram.counts();
  int64_t cumulative = 0;
  for (int64_t bin = 0; bin < histogram.bins(); ++bin) {
    cumulative += counts[static_cast<size_t>(bin)];
    if (static_cast<double>(cumulative) * 100.0 >= needed) return bin + 1;  // its upper edge
  }
  return histogram.bins();  // not reached: the full total always meets 100%
}

float percentile_threshold(const AbsHistogram& histogram, double percentile) {
  return histogram.edge(percentile_threshold_bin(histogram, percentile));
}

}  // namespace slim
