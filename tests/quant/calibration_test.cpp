// Calibration: the range/histogram statistics (exact merging, edge bins, empty
// observers), hand-checked thresholds for each calibrator, and a heavy-tailed tensor on
// which the clipping calibrators must beat abs_max.
#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "methods/quantization/calibration/calibrator.h"
#include "methods/quantization/calibration/histogram.h"
#include "methods/quantization/calibration/thresholds.h"

namespace slim {
namespace {

constexpr QuantRange kInt8{.bits = 8, .is_signed = true, .narrow = false};

std::vector<float> normal_values(int64_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) v = rng.normal();
  return values;
}

// Laplace(0, 1) by inverting its CDF; u == 0 is redrawn so the log stays finite.
std::vector<float> laplace_values(int64_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) {
    float u = 0.0f;
    while (u == 0.0f) u = rng.uniform();
    v = u < 0.5f ? std::log(2.0f * u) : -std::log(2.0f * (1.0f - u));
  }
  return values;
}

// Mean of (x - deq(q(x)))^2 over `values` on the grid `params`.
double fake_quant_mse(std::span<const float> values, const QuantParams& params,
                      const QuantRange& range) {
  double sum = 0.0;
  for (const float x : values) {
    const double error = static_cast<double>(x) - static_cast<double>(dequantize_value(
                                                      quantize_value(x, params, range), params));
    sum += error * error;
  }
  return sum / static_cast<double>(values.size());
}

std::string message_of(const std::exception& e) {
  return e.what();
}

TEST_CASE("histogram merge is exact whatever the batch split and order", "[quant][calibration]") {
  const std::vector<float> values = normal_values(20'000, 3);
  RangeStats range;
  range.observe(values);
  const std::span<const float> all(values);

  AbsHistogram whole(range.abs_max());
  whole.add(all);

  // Batches of 7, added last to first into one histogram.
  AbsHistogram reversed(range.abs_max());
  for (size_t end = values.size(); end > 0;) {
    const size_t begin = end >= 7 ? end - 7 : 0;
    reversed.add(all.subspan(begin, end - begin));
    end = begin;
  }
  // One histogram per batch of 1000, merged in a shuffled order.
  std::vector<size_t> order(values.size() / 1000);
  for (size_t b = 0; b < order.size(); ++b) order[b] = b;
  Rng rng(5);
  rng.shuffle(std::span<size_t>(order));
  AbsHistogram merged(range.abs_max());
  for (const size_t b : order) {
    AbsHistogram part(range.abs_max());
    part.add(all.subspan(b * 1000, 1000));
    merged.merge(part);
  }

  CHECK(whole.total() == 20'000);
  CHECK(reversed.total() == whole.total());
  CHECK(merged.total() == whole.total());
  const std::vector<int64_t> expected(whole.counts().begin(), whole.counts().end());
  CHECK(std::vector<int64_t>(reversed.counts().begin(), reversed.counts().end()) == expected);
  CHECK(std::vector<int64_t>(merged.counts().begin(), merged.counts().end()) == expected);
  // So every threshold is the same too.
  CHECK(kl_threshold_bin(merged) == kl_threshold_bin(whole));
  CHECK(percentile_threshold_bin(merged) == percentile_threshold_bin(whole));

  CHECK_THROWS_AS(whole.merge(AbsHistogram(range.abs_max() * 2.0f)), std::invalid_argument);
  CHECK_THROWS_AS(whole.merge(AbsHistogram(range.abs_max(), 1024)), std::invalid_argument);
}

TEST_CASE("histogram bins |x| with amax in the last bin", "[quant][calibration]") {
  AbsHistogram histogram(4.0f, 4);
  const std::vector<float> values = {0.0f, 0.5f, -1.0f, 1.5f, 3.99f, 4.0f, -4.0f};
  histogram.add(values);
  CHECK(histogram.bin_width() == 1.0f);
  CHECK(std::vector<int64_t>(histogram.counts().begin(), histogram.counts().end()) ==
        std::vector<int64_t>{2, 2, 0, 3});
  CHECK(histogram.total() == 7);
  CHECK(histogram.edge(4) == 4.0f);
  CHECK(histogram.edge(1) == 1.0f);

  // amax == 0: every value is zero and lands in bin 0.
  AbsHistogram zeros(0.0f, 8);
  const std::vector<float> zero_values = {0.0f, -0.0f, 0.0f};
  zeros.add(zero_values);
  CHECK(zeros.counts()[0] == 3);
  CHECK(zeros.bin_width() == 0.0f);
  CHECK(kl_threshold(zeros, 2) == 0.0f);

  const std::vector<float> bad = {1.0f, NAN};
  CHECK_THROWS_AS(histogram.add(bad), UserError);
  CHECK_THROWS_AS(AbsHistogram(-1.0f), std::invalid_argument);
  CHECK_THROWS_AS(AbsHistogram(1.0f, 0), std::invalid_argument);
}

TEST_CASE("range stats track min max and count and merge", "[quant][calibration]") {
  RangeStats a, b;
  CHECK(a.empty());
  CHECK(a.abs_max() == 0.0f);
  const std::vector<float> first = {-0.5f, 2.0f}, second = {-3.0f, 1.0f, 0.0f};
  a.observe(first);
  b.observe(second);
  CHECK(a.min == -0.5f);
  CHECK(a.max == 2.0f);
  a.merge(b);
  CHECK(a.min == -3.0f);
  CHECK(a.max == 2.0f);
  CHECK(a.count == 5);
  CHECK(a.abs_max() == 3.0f);
  const std::vector<float> infinite = {INFINITY};
  CHECK_THROWS_AS(a.observe(infinite), UserError);
}

TEST_CASE("a calibrator that saw no data throws instead of inventing a scale",
          "[quant][calibration]") {
  const std::vector<float> nothing;
  for (const std::string& name : calibrator_names()) {
    INFO("calibrator " << name);
    const CalibrationOptions options{.kind = parse_calibrator(name)};
    TensorCalibration calibration;
    calibration.observe_range(nothing);
    calibration.begin_histogram();
    try {
      calibration.params(kInt8, options);
      FAIL("params() returned a grid for an observer that saw nothing");
    } catch (const UserError& e) {
      CHECK_THAT(message_of(e), Catch::Matchers::Contains("calibrator '" + name + "' saw no data"));
    }
    CHECK_THROWS_AS(calibrate_values(nothing, kInt8, options), UserError);
  }
  // A range but an empty histogram pass is also no data for a histogram calibrator.
  TensorCalibration ranged_only;
  const std::vector<float> some = {1.0f, -2.0f};
  ranged_only.observe_range(some);
  ranged_only.begin_histogram();
  CHECK_THROWS_WITH(ranged_only.params(kInt8, {.kind = Calibrator::kKl}),
                    Catch::Matchers::Contains("calibrator 'kl' saw no data"));
  CHECK(ranged_only.params(kInt8, {.kind = Calibrator::kAbsMax}).scale == Approx(2.0f / 127.0f));

  // Using the passes out of order is a programming error, not bad input.
  TensorCalibration unbegun;
  unbegun.observe_range(some);
  CHECK_THROWS_AS(unbegun.observe_histogram(some), std::logic_error);
  CHECK_THROWS_AS(unbegun.params(kInt8, {.kind = Calibrator::kMse}), std::logic_error);
  unbegun.begin_histogram();
  CHECK_THROWS_AS(unbegun.observe_range(some), std::logic_error);
}

TEST_CASE("calibrator names parse and round-trip", "[quant][calibration]") {
  const std::vector<std::string> names = calibrator_names();
  REQUIRE(names == std::vector<std::string>{"abs_max", "min_max", "kl", "percentile", "mse"});
  for (const std::string& name : names) CHECK(calibrator_name(parse_calibrator(name)) == name);
  CHECK(needs_histogram(Calibrator::kKl));
  CHECK(needs_histogram(Calibrator::kPercentile));
  CHECK(needs_histogram(Calibrator::kMse));
  CHECK_FALSE(needs_histogram(Calibrator::kAbsMax));
  CHECK_FALSE(needs_histogram(Calibrator::kMinMax));
  CHECK_THROWS_WITH(parse_calibrator("entropy"), Catch::Matchers::Contains("abs_max, min_max"));
}

TEST_CASE("abs_max and min_max calibration follow the REFERENCE formulas", "[quant][calibration]") {
  const QuantRange narrow{.bits = 8, .is_signed = true, .narrow = true};
  const std::vector<float> mixed = {-0.5f, 1.27f, 0.3f};
  const QuantParams abs_max = calibrate_values(mixed, narrow, {.kind = Calibrator::kAbsMax});
  CHECK(abs_max.scale == Approx(0.01f));
  CHECK(abs_max.zero_point == 0);

  // min_max on uint8: S = 4/255, Z = 0 - round(-1 / S) = 64.
  const QuantRange uint8{.bits = 8, .is_signed = false, .narrow = false};
  const std::vector<float> skewed = {-1.0f, 3.0f, 0.5f};
  const QuantParams min_max = calibrate_values(skewed, uint8, {.kind = Calibrator::kMinMax});
  CHECK(min_max.scale == Approx(4.0f / 255.0f));
  CHECK(min_max.zero_point == 64);

  // A non-negative tensor (post-ReLU) gets all 256 codes over [0, amax] ...
  const std::vector<float> relu = {0.0f, 2.55f, 1.0f};
  const QuantParams full = calibrate_values(relu, kInt8, {.kind = Calibrator::kAbsMax});
  CHECK(full.scale == Approx(0.01f));
  CHECK(full.zero_point == -128);
  CHECK(quantize_value(2.55f, full, kInt8) == 127);
  // ... unless asked not to, when the symmetric grid keeps Z = 0 and twice the step.
  const QuantParams half = calibrate_values(
      relu, kInt8, {.kind = Calibrator::kAbsMax, .full_range_if_nonnegative = false});
  CHECK(half.scale == Approx(2.55f / 127.0f));
  CHECK(half.zero_point == 0);
}

TEST_CASE("percentile threshold is the upper edge of the bin reaching the percentile",
          "[quant][calibration]") {
  const AbsHistogram histogram =
      AbsHistogram::from_counts(10.0f, {50, 30, 10, 5, 3, 1, 0, 0, 0, 1});
  CHECK(percentile_threshold(histogram, 50.0) == 1.0f);   // 50 of 100 in bin 0
  CHECK(percentile_threshold(histogram, 50.5) == 2.0f);   // needs bin 1
  CHECK(percentile_threshold(histogram, 90.0) == 3.0f);   // 90 reached in bin 2
  CHECK(percentile_threshold(histogram, 99.0) == 6.0f);   // 98 after bin 4, 99 after bin 5
  CHECK(percentile_threshold(histogram, 99.5) == 10.0f);  // only the last bin gets there
  CHECK(percentile_threshold(histogram, 100.0) == 10.0f);
  CHECK_THROWS_AS(percentile_threshold(histogram, 100.5), std::invalid_argument);
  CHECK_THROWS_AS(percentile_threshold(AbsHistogram(1.0f, 16), 99.0), std::invalid_argument);

  // Through the calibrator: |x| = 0.001, 0.002, ..., 10 (signs alternate), 2048 bins of
  // 10/2048. 99% needs 9900 values; bin 2027 ends at 9.90234 and holds the 9900th.
  std::vector<float> ramp(10'000);
  for (size_t k = 0; k < ramp.size(); ++k) {
    ramp[k] = static_cast<float>(k + 1) * 0.001f * (k % 2 == 0 ? 1.0f : -1.0f);
  }
  const QuantParams params =
      calibrate_values(ramp, kInt8, {.kind = Calibrator::kPercentile, .percentile = 99.0});
  CHECK(params.zero_point == 0);
  CHECK(params.scale == Approx(2028.0 * 10.0 / 2048.0 / 127.0));
}

TEST_CASE("kl threshold on hand-computed histograms", "[quant][calibration]") {
  // 2 bits (nq = 2), 4 bins, counts {9, 4, 4, 1} -> {4, 4, 4, 1} after the bin-0 rule.
  //   i = 2: P = {4, 9}, Q = {4, 4}:             KL = 0.0759
  //   i = 3: P = {4, 4, 5}, Q = {4, 4, 4}:       KL = 0.0058  <- minimum
  //   i = 4: P = {4, 4, 4, 1}, Q = {4, 4, 2.5, 2.5}: KL = 0.0741
  const AbsHistogram histogram = AbsHistogram::from_counts(8.0f, {9, 4, 4, 1});
  CHECK(kl_threshold_bin(histogram, 2) == 3);
  CHECK(kl_threshold(histogram, 2) == 6.0f);

  // Every candidate has KL = 0 (one non-zero bin per group): ties go to the larger i.
  const AbsHistogram sparse = AbsHistogram::from_counts(8.0f, {0, 2, 0, 0, 0, 0, 0, 0});
  CHECK(kl_threshold_bin(sparse, 2) == 8);

  // Folding the outliers into an empty last bin makes q = 0 where p > 0 (KL = inf), so
  // i = 3..7 can never win; i = 8 reproduces P exactly.
  const AbsHistogram gap = AbsHistogram::from_counts(8.0f, {3, 3, 0, 0, 0, 0, 0, 3});
  CHECK(kl_threshold_bin(gap, 2) == 8);

  CHECK_THROWS_AS(kl_threshold(AbsHistogram::from_counts(1.0f, {1, 1, 1}), 3),
                  std::invalid_argument);  // fewer bins than 2^(bits-1)
}

TEST_CASE("mse threshold ties keep the finer grid", "[quant][calibration]") {
  // All mass at the centre of bin 0: every candidate from bin 128 rounds it to 0 with the
  // same error, so the smallest candidate (the finest step) wins.
  std::vector<int64_t> counts(2048, 0);
  counts[0] = 10;
  const AbsHistogram histogram = AbsHistogram::from_counts(2048.0f, counts);
  CHECK(mse_threshold_bin(histogram, kInt8) == 128);
  CHECK(mse_threshold(histogram, kInt8) == 128.0f);

  // Bins narrower than 128 have only one candidate: the full range.
  const AbsHistogram small = AbsHistogram::from_counts(4.0f, {1, 2, 3, 4});
  CHECK(mse_threshold_bin(small, kInt8) == 4);
}

TEST_CASE("clipping calibrators beat abs_max on a heavy-tailed tensor with outliers",
          "[quant][calibration]") {
  // 1M Laplace(0, 1) values and four outliers at +-50. With 100k values the outliers'
  // clipping error would outweigh what the finer step saves for the bulk: any clipping
  // then loses on total MSE, so the bulk must be large enough for clipping to pay off.
  std::vector<float> values = laplace_values(1'000'000, 17);
  for (const float outlier : {50.0f, -50.0f, 49.0f, -48.0f}) values.push_back(outlier);

  const auto mse_with = [&](Calibrator kind) {
    const QuantParams params = calibrate_values(values, kInt8, {.kind = kind});
    return fake_quant_mse(values, params, kInt8);
  };
  const double abs_max = mse_with(Calibrator::kAbsMax);
  const double kl = mse_with(Calibrator::kKl);
  const double percentile = mse_with(Calibrator::kPercentile);
  const double mse = mse_with(Calibrator::kMse);
  INFO("fake-quant MSE: abs_max " << abs_max << ", kl " << kl << ", percentile " << percentile
                                  << ", mse " << mse);
  CHECK(kl < abs_max);
  CHECK(percentile < abs_max);
  CHECK(mse < abs_max);
  // The search that minimises the (binned) squared error should be the best of the three.
  CHECK(mse <= kl * 1.01);
  CHECK(mse <= percentile * 1.01);
}

}  // namespace
}  // namespace slim
