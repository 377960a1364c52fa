// The statistics a calibrator collects about one tensor, batch after batch:
//   RangeStats    a running min / max / count (pass 1 of calibration), and
//   AbsHistogram  a histogram of |x| over [0, amax] (pass 2, for kl / percentile / mse).
//
// The histogram's range is fixed when it is made, from the max that pass 1 found. Every
// value then lands in a bin that depends on nothing but the value itself, so histograms
// of any batch split, in any order, merge into exactly the same counts (REFERENCE.md,
// "KL / entropy calibration": merging must not depend on batch order). Re-binning on the
// fly, as pytorch-quantization does when a batch exceeds the range, would not be exact.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace slim {

inline constexpr int64_t kDefaultHistogramBins = 2048;

struct RangeStats {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  int64_t count = 0;

  // Throws a UserError on a non-finite value: a NaN or inf activation means a broken
  // model, and no scale chosen from it would mean anything.
  void observe(std::span<const float> values);
  void merge(const RangeStats& other);
  bool empty() const { return count == 0; }
  // max(|min|, |max|); 0 when empty.
  float abs_max() const;
};

class AbsHistogram {
 public:
  // `bins` equal-width bins over [0, amax]; amax must be finite and >= 0. With amax == 0
  // every value counts in bin 0 (and bin_width() is 0).
  explicit AbsHistogram(float amax, int64_t bins = kDefaultHistogramBins);
  // A histogram with given counts (e.g. a fixture); bins = counts.size(), all >= 0.
  static AbsHistogram from_counts(float amax, std::vector<int64_t> counts);

  // Counts |x| for each value. |x| == amax goes into the last bin; so does anything
  // larger (pass 2 saw a bigger value than pass 1), which the quantizer would clamp to
  // amax anyway. Throws a UserError on a non-finite value.
  void add(std::span<const float> values);
  // Adds `other`'s counts; throws std::invalid_argument unless amax and bins are equal.
  void merge(const AbsHistogram& other);

  std::span<const int64_t> counts() const { return counts_; }
  int64_t bins() const { return static_cast<int64_t>(counts_.size()); }
  float amax() const { return amax_; }
  float bin_width() const { return amax_ / static_cast<float>(bins()); }
  // The real value at edge `i` (0..bins), i * amax / bins computed in double, so that
  // edge(bins()) is exactly amax.
  float edge(int64_t i) const;
  int64_t total() const { return total_; }

 private:
  int64_t bin_of(float magnitude) const;

  float amax_;
  double bins_per_unit_;  // bins / amax, or 0 when amax == 0
  std::vector<int64_t> counts_;
  int64_t total_ = 0;
};

}  // namespace slim
