#include "harness/report/rank_test.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace slim {
namespace {

struct Observation {
  double value;
  bool from_current;
};

struct RankSums {
  double current_rank_sum = 0;
  // Sum over groups of tied values of (t^3 - t), which shrinks the variance of U.
  double tie_term = 0;
};

// Ranks 1..N over the pooled sample; each run of equal values shares its average rank.
RankSums rank_pooled(std::vector<Observation> pooled) {
  std::sort(pooled.begin(), pooled.end(),
            [](const Observation& a, const Observation& b) { return a.value < b.value; });
  RankSums sums;
  for (size_t first = 0; first < pooled.size();) {
    size_t last = first + 1;
    while (last < pooled.size() && pooled[last].value == pooled[first].value) ++last;
    const double tied = static_cast<double>(last - first);
    // Ranks first+1 .. last, averaged.
    const double average_rank = (static_cast<double>(first + 1) + static_cast<double>(last)) / 2;
    for (size_t i = first; i < last; ++i) {
      if (pooled[i].from_current) sums.current_rank_sum += average_rank;
    }
    sums.tie_term += tied * tied * tied - tied;
    first = last;
  }
  return sums;
}

// P(Z >= z) for a standard normal Z.
double upper_tail(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

}  // namespace

RankTestResult mann_whitney_greater(std::span<const double> base, std::span<const double> current) {
  RankTestResult result;
  result.n_base = base.size();
  result.n_current = current.size();
  if (base.empty() || current.empty()) return result;

  std::vector<Observation> pooled;
  pooled.reserve(base.size() + current.size());
  for (const double value : base) pooled.push_back({value, false});
  for (const double value : current) pooled.push_back({value, true});
  const RankSums sums = rank_pooled(std::move(pooled));

  const double n_base = static_cast<double>(base.size());
  const double n_current = static_cast<double>(current.size());
  const double n = n_base + n_current;
  result.u = sums.current_rank_sum - n_current * (n_current + 1) / 2;

  const double mean_u = n_base * n_current / 2;
  const double variance_u = n_base * n_current / 12 * ((n + 1) - sums.tie_term / (n * (n - 1)));
  if (variance_u <= 0) return result;  // every value tied: no evidence either way

  // Continuity correction: U moves in steps of 1/2 or 1, the normal curve is continuous.
  const double z = (result.u - mean_u - 0.5) / std::sqrt(variance_u);
  result.p_value = upper_tail(z);
  return result;
}

}  // namespace slim
