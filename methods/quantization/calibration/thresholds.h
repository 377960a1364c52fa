// The three histogram calibrators: each picks a clipping threshold amax for |x| from an
// AbsHistogram (histogram.h). The calibrator (calibrator.h) then builds the grid from it.
//
// Each threshold is a bin edge, edge(i) = i * amax / bins; the *_bin functions return
// that i so tests can compare the choice exactly. Implementations: kl_threshold.cpp,
// percentile_threshold.cpp, mse_threshold.cpp. All throw std::invalid_argument on an
// empty histogram (the calibrator reports "saw no data" before getting here).
#pragma once

#include <cstdint>

#include "core/quant/affine.h"
#include "methods/quantization/calibration/histogram.h"

namespace slim {

// TensorRT-style entropy calibration (REFERENCE.md, "KL / entropy calibration"), as
// pytorch-quantization's _compute_amax_entropy:
//  - bin 0's count is replaced by bin 1's (exact zeros after ReLU must not dominate);
//  - for each candidate i in [nq, bins], nq = 2^(bits-1): P = counts[0:i] with the mass
//    of counts[i:] added to P[i-1]; Q merges counts[0:i] (without the outliers) into nq
//    groups, bin j in group floor(j * nq / i), and spreads each group's sum evenly over
//    its non-zero bins (zero bins stay zero). When nq does not divide i the groups are
//    floor(i/nq) or ceil(i/nq) bins wide, exactly as numpy.digitize over
//    linspace(0, i, nq + 1) splits them (those edges are exact: nq is a power of two);
//  - P and Q are normalised by their exact integer totals and KL(P||Q) = sum p log(p/q)
//    over p > 0, summed in increasing bin order in double. p > 0 with q == 0 (only
//    possible at P[i-1] when outliers were folded into an empty bin) gives +inf, as
//    scipy.stats.entropy does; such a candidate is only picked if every one is +inf;
//  - the minimum wins, ties going to the larger i.
// Needs bins >= max(2, nq). If nothing is left after the bin-0 replacement (all data
// was in bin 0) there is nothing to trade off, and the full range (i = bins) is kept.
int64_t kl_threshold_bin(const AbsHistogram& histogram, int bits = 8);
float kl_threshold(const AbsHistogram& histogram, int bits = 8);

// The upper edge of the first bin at which the cumulative count reaches percentile/100
// of the total, so at least that fraction of the values lies within [0, amax].
// (pytorch-quantization returns that bin's lower edge, clipping part of the bin.)
// percentile must be in [0, 100]; 100 gives the upper edge of the last non-empty bin.
int64_t percentile_threshold_bin(const AbsHistogram& histogram, double percentile = 99.99);
float percentile_threshold(const AbsHistogram& histogram, double percentile = 99.99);

// The edge i in [min(128, bins), bins] minimising the expected squared error of
// quantize-then-dequantize, sum over bins of count * (center - fq(center))^2, where fq
// uses the symmetric grid abs_max_params(edge(i), range) and `rounding`. Ties go to the
// smaller i: the same error with a finer step.
int64_t mse_threshold_bin(const AbsHistogram& histogram, const QuantRange& range,
                          Rounding rounding = Rounding::kHalfToEven);
float mse_threshold(const AbsHistogram& histogram, const QuantRange& range,
                    Rounding rounding = Rounding::kHalfToEven);

}  // namespace slim
