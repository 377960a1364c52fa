// quantize_weight: hand-checked codes, scales and zero points for each granularity,
// signed and unsigned grids, abs_max and min_max (REFERENCE.md, "Quantization
// mapping"); and 4-bit grids with every calibrator staying in range. Rounding is
// half-to-even throughout; no value below sits on a rounding tie.
#include "methods/quantization/weight_quantizer.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.h"

namespace slim {
namespace {

std::vector<int> codes_of(const QuantizedWeight& weight) {
  return {weight.codes().begin(), weight.codes().end()};
}

std::vector<int32_t> zero_points_of(const QuantizedWeight& weight) {
  return {weight.zero_points().begin(), weight.zero_points().end()};
}

WeightQuantOptions options_for(Calibrator calibrator, Granularity granularity, QuantRange range,
                               int64_t group_size = 32) {
  WeightQuantOptions options;
  options.calibrator = calibrator;
  options.granularity = granularity;
  options.range = range;
  options.group_size = group_size;
  return options;
}

constexpr QuantRange kNarrowInt8{.bits = 8, .is_signed = true, .narrow = true};
constexpr QuantRange kInt8{.bits = 8, .is_signed = true, .narrow = false};
constexpr QuantRange kUint8{.bits = 8, .is_signed = false, .narrow = false};

TEST_CASE("per-tensor abs_max: one scale max|w| / 127 for every row", "[quant][weights]") {
  const std::vector<float> w = {0.5f, -1.27f, 0.2f, 1.0f, 0.0f, -0.64f};
  const auto q = quantize_weight(
      w, 2, 3, options_for(Calibrator::kAbsMax, Granularity::kPerTensor, kNarrowInt8));
  CHECK(q->granularity() == Granularity::kPerTensor);
  CHECK(q->group_size() == 3);
  REQUIRE(q->scales().size() == 2);
  CHECK(q->scales()[0] == Approx(0.01f));
  CHECK(q->scales()[1] == q->scales()[0]);
  CHECK(q->symmetric());
  CHECK(codes_of(*q) == std::vector<int>{50, -127, 20, 100, 0, -64});
}

TEST_CASE("per-channel abs_max: one scale per output row", "[quant][weights]") {
  const std::vector<float> w = {0.5f, -1.27f, 0.2f, 1.0f, 0.0f, -2.54f};
  const auto q = quantize_weight(
      w, 2, 3, options_for(Calibrator::kAbsMax, Granularity::kPerChannel, kNarrowInt8));
  REQUIRE(q->scales().size() == 2);
  CHECK(q->scale(0, 0) == Approx(0.01f));
  CHECK(q->scale(1, 0) == Approx(0.02f));
  CHECK(codes_of(*q) == std::vector<int>{50, -127, 20, 50, 0, -127});
  const std::vector<float> restored = q->dequantize();
  for (size_t k = 0; k < w.size(); ++k) CHECK(restored[k] == Approx(w[k]).margin(1e-6));
}

TEST_CASE("per-group abs_max: groups of consecutive inputs, the last one shorter",
          "[quant][weights]") {
  // Row 0 splits into [1.27, -0.5] [0.254, 0.1] [-2.54]; row 1 is all zeros, which gets
  // the smallest positive scale rather than a division by zero.
  const std::vector<float> w = {1.27f, -0.5f, 0.254f, 0.1f, -2.54f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  const auto q = quantize_weight(
      w, 2, 5, options_for(Calibrator::kAbsMax, Granularity::kPerGroup, kNarrowInt8, 2));
  CHECK(q->group_size() == 2);
  REQUIRE(q->groups_per_row() == 3);
  REQUIRE(q->scales().size() == 6);
  CHECK(q->scale(0, 0) == Approx(0.01f));
  CHECK(q->scale(0, 1) == Approx(0.002f));
  CHECK(q->scale(0, 2) == Approx(0.02f));
  for (int64_t group = 0; group < 3; ++group) CHECK(q->scale(1, group) == FLT_EPSILON);
  CHECK(codes_of(*q) == std::vector<int>{127, -50, 127, 50, -127, 0, 0, 0, 0, 0});
  CHECK(q->symmetric());
}

TEST_CASE("unsigned abs_max: zero at the midpoint, stored shifted into int8", "[quant][weights]") {
  // S = 0.01, Z = 128: codes 255, 1, 128, 178 are stored minus 128.
  const std::vector<float> w = {1.27f, -1.27f, 0.0f, 0.5f};
  const auto q =
      quantize_weight(w, 1, 4, options_for(Calibrator::kAbsMax, Granularity::kPerTensor, kUint8));
  CHECK(q->scale(0, 0) == Approx(0.01f));
  CHECK(q->zero_point(0, 0) == 0);
  CHECK(q->qmin() == -128);
  CHECK(q->qmax() == 127);
  CHECK(codes_of(*q) == std::vector<int>{127, -127, 0, 50});
  const std::vector<float> restored = q->dequantize();
  for (size_t k = 0; k < w.size(); ++k) CHECK(restored[k] == Approx(w[k]).margin(1e-6));
}

TEST_CASE("min_max: PyTorch's affine grid per slice, signed and unsigned", "[quant][weights]") {
  SECTION("unsigned per-channel") {
    // Row 0 [-1, 3]: S = 4/255, Z = 64; codes 0, 255, 128 -> stored -128, 127, 0; Z -> -64.
    // Row 1 [0.5, 2] widened to [0, 2]: S = 2/255, Z = 0; codes 64, 255, 153 -> -64, 127, 25.
    const std::vector<float> w = {-1.0f, 3.0f, 1.0f, 0.5f, 2.0f, 1.2f};
    const auto q = quantize_weight(
        w, 2, 3, options_for(Calibrator::kMinMax, Granularity::kPerChannel, kUint8));
    CHECK(q->scale(0, 0) == Approx(4.0f / 255.0f));
    CHECK(q->scale(1, 0) == Approx(2.0f / 255.0f));
    CHECK(zero_points_of(*q) == std::vector<int32_t>{-64, -128});
    CHECK(codes_of(*q) == std::vector<int>{-128, 127, 0, -64, 127, 25});
    CHECK_FALSE(q->symmetric());
  }
  SECTION("signed per-tensor") {
    // [-1, 3] on [-128, 127]: S = 4/255, Z = -128 - round(-63.75) = -64.
    const std::vector<float> w = {-1.0f, 3.0f};
    const auto q =
        quantize_weight(w, 1, 2, options_for(Calibrator::kMinMax, Granularity::kPerTensor, kInt8));
    CHECK(q->scale(0, 0) == Approx(4.0f / 255.0f));
    CHECK(q->zero_point(0, 0) == -64);
    CHECK(codes_of(*q) == std::vector<int>{-128, 127});
  }
}

TEST_CASE("4-bit codes stay in range for every calibrator, range and granularity",
          "[quant][weights]") {
  Rng rng(23);
  const int64_t rows = 8, cols = 20;
  std::vector<float> w(static_cast<size_t>(rows * cols));
  for (float& v : w) v = rng.normal(0.1f, 0.5f);
  const QuantRange ranges[] = {{4, true, true}, {4, true, false}, {4, false, false}};
  const Granularity granularities[] = {Granularity::kPerTensor, Granularity::kPerChannel,
                                       Granularity::kPerGroup};
  for (const QuantRange& range : ranges) {
    for (const Granularity granularity : granularities) {
      for (const std::string& name : calibrator_names()) {
        const Calibrator calibrator = parse_calibrator(name);
        INFO(name << " " << granularity_name(granularity) << " signed " << range.is_signed
                  << " narrow " << range.narrow);
        // group_size 6: groups of 6, 6, 6 and a tail of 2 in every row.
        const auto q =
            quantize_weight(w, rows, cols, options_for(calibrator, granularity, range, 6));
        const int64_t groups = granularity == Granularity::kPerGroup ? 4 : 1;
        REQUIRE(q->groups_per_row() == groups);
        REQUIRE(q->scales().size() == static_cast<size_t>(rows * groups));
        const auto [lowest, highest] = std::minmax_element(q->codes().begin(), q->codes().end());
        CHECK(*lowest >= q->qmin());
        CHECK(*highest <= q->qmax());
        CHECK(q->qmax() - q->qmin() == range.qmax() - range.qmin());
        if (calibrator != Calibrator::kAbsMax && calibrator != Calibrator::kMinMax) continue;
        // The non-clipping calibrators reconstruct every weight within half a step.
        const std::vector<float> restored = q->dequantize();
        double worst = 0.0;
        for (int64_t k = 0; k < rows * cols; ++k) {
          const float step = q->scale(k / cols, (k % cols) / q->group_size());
          const float error =
              std::fabs(restored[static_cast<size_t>(k)] - w[static_cast<size_t>(k)]);
          worst = std::max(worst, static_cast<double>(error / step));
        }
        INFO("max |w - deq(q(w))| / S = " << worst);
        CHECK(worst <= 0.5 + 1e-4);
      }
    }
  }
}

TEST_CASE("narrow 4-bit abs_max puts each group's largest magnitude on +-7", "[quant][weights]") {
  Rng rng(29);
  std::vector<float> w(3 * 10);
  for (float& v : w) v = rng.uniform(-2.0f, 2.0f);
  const auto q = quantize_weight(
      w, 3, 10, options_for(Calibrator::kAbsMax, Granularity::kPerGroup, {4, true, true}, 4));
  for (int64_t row = 0; row < 3; ++row) {
    for (int64_t group = 0; group < 3; ++group) {
      const int64_t begin = group * 4, end = std::min<int64_t>(begin + 4, 10);
      int extreme = 0;
      for (int64_t col = begin; col < end; ++col) {
        extreme = std::max(extreme, std::abs(static_cast<int>(q->codes()[row * 10 + col])));
      }
      CHECK(extreme == 7);
    }
  }
}

TEST_CASE("quantize_weight rejects inconsistent shapes", "[quant][weights]") {
  const std::vector<float> w(6, 1.0f);
  const auto per_group = options_for(Calibrator::kAbsMax, Granularity::kPerGroup, kInt8, 0);
  CHECK_THROWS_AS(quantize_weight(w, 2, 4, WeightQuantOptions{}), std::invalid_argument);
  CHECK_THROWS_AS(quantize_weight(w, 2, 3, per_group), std::invalid_argument);
  CHECK_NOTHROW(quantize_weight(w, 2, 3, WeightQuantOptions{}));
}

}  // namespace
}  // namespace slim
