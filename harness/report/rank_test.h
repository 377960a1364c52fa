// The Mann-Whitney U (Wilcoxon rank-sum) test: do two sets of timings come from the same
// distribution, or does one tend to be larger?
//
// Timings are skewed and heavy-tailed (interrupts, frequency changes), so a test on ranks
// is used rather than a t-test on means. google/benchmark's tools/compare.py uses this same
// test (two-sided, at alpha 0.05) and recommends 9 or more repetitions per side; below that
// the test rarely reaches significance however large the difference.
#pragma once

#include <cstddef>
#include <span>

namespace slim {

struct RankTestResult {
  double u = 0;        // U of `current`: pairs (b, c) with c > b, ties counting one half
  double p_value = 1;  // one-sided, H1: current tends to be larger
  size_t n_base = 0;
  size_t n_current = 0;
};

// One-sided test of H1 "current tends to be larger than base" (for latency: slower).
// Tied values get the average of their ranks. The p-value uses the normal approximation of
// U with the tie correction of its variance and a continuity correction of 0.5, which
// matches scipy.stats.mannwhitneyu(current, base, alternative="greater",
// method="asymptotic"). With no data on a side, or every value tied, p is 1.
RankTestResult mann_whitney_greater(std::span<const double> base, std::span<const double> current);

}  // namespace slim
