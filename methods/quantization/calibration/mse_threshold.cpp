// mse_threshold: the clipping threshold that minimises the histogram's expected
// quantize-then-dequantize squared error (thresholds.h).
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <vector>

#include "methods/quantization/calibration/thresholds.h"

namespace slim {
namespace {

// REFERENCE.md: the search starts at bin 128, whatever the bit width.
constexpr int64_t kFirstCandidateBin = 128;

struct WeightedCenter {
  float value;
  double count;
};

// The centre of every non-empty bin with its count: empty bins add no error.
std::vector<WeightedCenter> occupied_centers(const AbsHistogram& histogram) {
  std::vector<WeightedCenter> centers;
  const std::span<const int64_t> counts = histogram.counts();
  const double width =
      static_cast<double>(histogram.amax()) / static_cast<double>(histogram.bins());
  for (size_t j = 0; j < counts.size(); ++j) {
    if (counts[j] == 0) continue;
    const double center = (static_cast<double>(j) + 0.5) * width;
    centers.push_back({static_cast<float>(center), static_cast<double>(counts[j])});
  }
  return centers;
}

double expected_squared_error(std::span<const WeightedCenter> centers, float amax,
                              const QuantRange& range, Rounding rounding) {
  const QuantParams params = abs_max_params(amax, range);
  double error = 0.0;
  for (const WeightedCenter& center : centers) {
    const float restored =
        dequantize_value(quantize_value(center.value, params, range, rounding), params);
    const double difference = static_cast<double>(center.value) - static_cast<double>(restored);
    error += center.count * difference * difference;
  }
  return error;
}

}  // namespace

int64_t mse_threshold_bin(const AbsHistogram& histogram, const QuantRange& range,
                          Rounding rounding) {
  if (histogram.total() == 0) throw std::invalid_argument("mse_threshold: empty histogram");
  const std::vector<WeightedCenter> centers = occupied_centers(histogram);
  int64_t best_bin = histogram.bins();
  double best = std::numeric_limits<double>::infinity();
  for (int64_t i = std::min(kFirstCandidateBin, histogram.bins()); i <= histogram.bins(); ++i) {
    const double error = expected_squared_error(centers, histogram.edge(i), range, rounding);
    if (error < best) {  // "<": ties keep the smaller threshold (the finer step)
      best = error;
      best_bin = i;
    }
  }
  return best_bin;
}

float mse_threshold(const AbsHistogram& histogram, const QuantRange& range, Rounding rounding) {
  return histogram.edge(mse_threshold_bin(histogram, range, rounding));
}

}  // namespace slim
