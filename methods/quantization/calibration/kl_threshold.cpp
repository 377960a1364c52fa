// kl_threshold: TensorRT-style entropy calibration over an AbsHistogram (thresholds.h
// states the algorithm and its edge cases; scripts/kl_reference.py re-implements it
// independently, and tests/quant/kl_reference_test.cpp checks both agree bin for bin).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "methods/quantization/calibration/thresholds.h"

namespace slim {
namespace {

// The histogram the search works on, with the candidates' shared bookkeeping.
class KlSearch {
 public:
  KlSearch(std::span<const int64_t> counts, int64_t levels)
      : counts_(counts.begin(), counts.end()),
        levels_(levels),
        group_sum_(static_cast<size_t>(levels)),
        group_nonzero_(static_cast<size_t>(levels)) {
    // Bin 0 takes bin 1's count, so the many exact zeros after a ReLU do not dominate.
    counts_[0] = counts_[1];
    mass_beyond_.assign(counts_.size() + 1, 0);
    for (size_t j = counts_.size(); j-- > 0;) mass_beyond_[j] = mass_beyond_[j + 1] + counts_[j];
    for (size_t j = 0; j < counts_.size(); ++j) {
      if (counts_[j] > 0) nonzero_bins_.push_back(static_cast<int64_t>(j));
    }
  }

  int64_t bins() const { return static_cast<int64_t>(counts_.size()); }
  int64_t total() const { return mass_beyond_[0]; }

  // KL(P || Q) for clipping at edge i (nq <= i <= bins).
  double divergence(int64_t i) {
    const int64_t outliers = mass_beyond_[static_cast<size_t>(i)];
    const int64_t kept = total() - outliers;
    // Every non-zero bin below i, in increasing order (nonzero_bins_ is sorted).
    size_t end = 0;
    while (end < nonzero_bins_.size() && nonzero_bins_[end] < i) ++end;
    merge_into_groups(i, end);
    const auto p_total = static_cast<double>(total());
    const auto q_total = static_cast<double>(kept);
    double kl = 0.0;
    for (size_t k = 0; k < end; ++k) {
      const int64_t j = nonzero_bins_[k];
      if (j == i - 1) break;  // the last bin carries the outliers; handled below
      const double p = static_cast<double>(counts_[j]) / p_total;
      const double q = expanded_q(i, j) / q_total;
      kl += p * std::log(p / q);
    }
    const int64_t last_p = counts_[static_cast<size_t>(i - 1)] + outliers;
    if (last_p > 0) {
      // Q is zero where the source bin was empty, even if outliers landed in P there.
      if (counts_[static_cast<size_t>(i - 1)] == 0) return std::numeric_limits<double>::infinity();
      const double p = static_cast<double>(last_p) / p_total;
      const double q = expanded_q(i, i - 1) / q_total;
      kl += p * std::log(p / q);
    }
    return kl;
  }

 private:
  int64_t group_of(int64_t i, int64_t j) const { return j * levels_ / i; }

  // Sums the non-zero bins below i per group and counts them.
  void merge_into_groups(int64_t i, size_t end) {
    std::fill(group_sum_.begin(), group_sum_.end(), 0);
    std::fill(group_nonzero_.begin(), group_nonzero_.end(), 0);
    for (size_t k = 0; k < end; ++k) {
      const int64_t j = nonzero_bins_[k];
      const auto group = static_cast<size_t>(group_of(i, j));
      group_sum_[group] += counts_[static_cast<size_t>(j)];
      ++group_nonzero_[group];
    }
  }

  // Q at non-zero source bin j: its group's mass spread evenly over the group's
  // non-zero bins.
  double expanded_q(int64_t i, int64_t j) const {
    const auto group = static_cast<size_t>(group_of(i, j));
    return static_cast<double>(group_sum_[group]) / static_cast<double>(group_nonzero_[group]);
  }

  std::vector<int64_t> counts_;
  int64_t levels_;
  std::vector<int64_t> mass_beyond_;  // mass_beyond_[i] = sum of counts_[i:]
  std::vector<int64_t> nonzero_bins_;
  std::vector<int64_t> group_sum_;
  std::vector<int64_t> group_nonzero_;
};

}  // namespace

int64_t kl_threshold_bin(const AbsHistogram& histogram, int bits) {
  if (bits < 2 || bits > 16) throw std::invalid_argument("kl_threshold: bits must be in [2, 16]");
  const int64_t levels = int64_t{1} << (bits - 1);
  const int64_t bins = histogram.bins();
  if (bins < 2 || bins < levels) {
    throw std::invalid_argument("kl_threshold: need at least max(2, 2^(bits-1)) bins");
  }
  if (histogram.total() == 0) throw std::invalid_argument("kl_threshold: empty histogram");
  KlSearch search(histogram.counts(), levels);
  if (search.total() == 0) return bins;  // all data sat in bin 0: nothing to trade off
  int64_t best_bin = bins;
  double best = std::numeric_limits<double>::infinity();
  for (int64_t i = levels; i <= bins; ++i) {
    const double divergence = search.divergence(i);
    if (divergence <= best) {  // "<=": ties go to the larger threshold
      best = divergence;
      best_bin = i;
    }
  }
  return best_bin;
}

float kl_threshold(const AbsHistogram& histogram, int bits) {
  return histogram.edge(kl_threshold_bin(histogram, bits));
}

}  // namespace slim
