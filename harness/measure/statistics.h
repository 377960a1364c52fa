// Summary statistics of timing samples: numpy-compatible percentiles, mean, sample
// standard deviation, and the evenly spaced subsample that results keep.
//
// Percentiles follow numpy.percentile's default ("linear" method): with the values sorted
// as x[0..n-1], the q-th percentile sits at h = (n - 1) * q / 100 and interpolates
// linearly between x[floor(h)] and x[floor(h) + 1]. Matching numpy lets a reader recompute
// any figure from the stored samples with one line of Python.
#pragma once

#include <cstddef>
#include <vector>

namespace slim {

// The q-th percentile (q in [0, 100]) of `values`; sorts its own copy. Throws
// std::invalid_argument for an empty input or q outside [0, 100].
double percentile(std::vector<double> values, double q);

// The same on values already sorted ascending, so several percentiles of a large sample
// cost one sort.
double percentile_of_sorted(const std::vector<double>& sorted, double q);

// Arithmetic mean; throws std::invalid_argument for an empty input.
double mean(const std::vector<double>& values);

// Sample standard deviation (divides by n - 1, like numpy.std(ddof=1)); 0 for fewer than
// two values, which carry no information about spread.
double sample_stddev(const std::vector<double>& values);

// At most `max_count` values taken at evenly spaced positions, first and last included,
// in their original order; all of them when there are no more than `max_count`.
std::vector<double> evenly_spaced_subsample(const std::vector<double>& values,
                                            std::size_t max_count);

}  // namespace slim
