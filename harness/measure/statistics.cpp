#include "harness/measure/statistics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace slim {
namespace {

void require_non_empty(const std::vector<double>& values, const char* what) {
  if (values.empty()) throw std::invalid_argument(std::string(what) + " of no values");
}

void require_percent(double q) {
  if (!(q >= 0.0 && q <= 100.0)) {  // written so that NaN is rejected too
    throw std::invalid_argument("percentile q must be in [0, 100], got " + std::to_string(q));
  }
}

}  // namespace

double percentile_of_sorted(const std::vector<double>& sorted, double q) {
  require_non_empty(sorted, "percentile");
  require_percent(q);
  const double position = static_cast<double>(sorted.size() - 1) * q / 100.0;
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return percentile_of_sorted(values, q);
}

double mean(const std::vector<double>& values) {
  require_non_empty(values, "mean");
  double sum = 0.0;
  for (double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

double sample_stddev(const std::vector<double>& values) {
  if (values.size() < 2) return 0.0;
  // Two passes (mean first, then squared deviations) rather than the sum of squares
  // formula, which cancels catastrophically when the spread is small next to the mean,
  // exactly the case for steady latencies.
  const double centre = mean(values);
  double squares = 0.0;
  for (double value : values) squares += (value - centre) * (value - centre);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

std::vector<double> evenly_spaced_subsample(const std::vector<double>& values,
                                            std::size_t max_count) {
  if (values.size() <= max_count) return values;
  if (max_count == 0) return {};
  if (max_count == 1) return {values.front()};
  std::vector<double> kept;
  kept.reserve(max_count);
  const std::size_t last = values.size() - 1;
  // Integer positions i * last / (max_count - 1): exact, strictly increasing because
  // last >= max_count here, and they end on the last value.
  for (std::size_t i = 0; i < max_count; ++i) kept.push_back(values[i * last / (max_count - 1)]);
  return kept;
}

}  // namespace slim
