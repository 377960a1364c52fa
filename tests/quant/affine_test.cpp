#include "core/quant/affine.h"

#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <stdexcept>

#include "core/rng.h"

namespace slim {
namespace {

TEST_CASE("integer grids for signed unsigned and narrow ranges", "[methods][quantization]") {
  CHECK(QuantRange{8, true, false}.qmin() == -128);
  CHECK(QuantRange{8, true, false}.qmax() == 127);
  CHECK(QuantRange{8, true, true}.qmin() == -127);
  CHECK(QuantRange{8, false, false}.qmin() == 0);
  CHECK(QuantRange{8, false, false}.qmax() == 255);
  CHECK(QuantRange{4, true, false}.qmin() == -8);
  CHECK(QuantRange{4, true, true}.qmin() == -7);
  CHECK(QuantRange{2, true, false}.qmax() == 1);
}

TEST_CASE("rounding modes differ only on ties", "[methods][quantization]") {
  CHECK(round_with(2.5f, Rounding::kHalfToEven) == 2.0f);
  CHECK(round_with(2.5f, Rounding::kHalfAwayFromZero) == 3.0f);
  CHECK(round_with(-2.5f, Rounding::kHalfToEven) == -2.0f);
  CHECK(round_with(-2.5f, Rounding::kHalfAwayFromZero) == -3.0f);
  CHECK(round_with(2.4f, Rounding::kHalfAwayFromZero) == 2.0f);
  const QuantRange int8{8, true, false};
  CHECK(quantize_value(0.5f, {1.0f, 0}, int8, Rounding::kHalfToEven) == 0);
  CHECK(quantize_value(0.5f, {1.0f, 0}, int8, Rounding::kHalfAwayFromZero) == 1);
}

TEST_CASE("abs_max maps the largest magnitude to the last code without clipping",
          "[methods][quantization]") {
  const QuantRange narrow{8, true, true};
  const QuantParams p = abs_max_params(2.54f, narrow);
  INFO("scale " << p.scale);
  CHECK(p.zero_point == 0);
  CHECK(p.scale == Approx(0.02f));
  CHECK(quantize_value(2.54f, p, narrow) == 127);
  CHECK(quantize_value(-2.54f, p, narrow) == -127);
  CHECK(quantize_value(0.0f, p, narrow) == 0);
  // Unsigned: zero at the midpoint, the codes above it span amax.
  const QuantRange uint8{8, false, false};
  const QuantParams u = abs_max_params(2.54f, uint8);
  CHECK(u.zero_point == 128);
  CHECK(quantize_value(2.54f, u, uint8) == 255);
  CHECK(quantize_value(-2.54f, u, uint8) == 1);
  // No range at all still gives a usable, positive scale.
  CHECK(abs_max_params(0.0f, narrow).scale == FLT_EPSILON);
  CHECK_THROWS_AS(abs_max_params(-1.0f, narrow), std::invalid_argument);
  CHECK_THROWS_AS(abs_max_params(NAN, narrow), std::invalid_argument);
}

TEST_CASE("min_max follows PyTorch's observer formula", "[methods][quantization]") {
  const QuantRange uint8{8, false, false};
  // S = 4/255, Z = 0 - round(-1 / S) = round(63.75) = 64.
  const QuantParams p = min_max_params(-1.0f, 3.0f, uint8);
  CHECK(p.scale == Approx(4.0f / 255.0f));
  CHECK(p.zero_point == 64);
  // A range that excludes zero is widened to include it.
  const QuantParams positive = min_max_params(1.0f, 3.0f, uint8);
  CHECK(positive.zero_point == 0);
  CHECK(positive.scale == Approx(3.0f / 255.0f));
  CHECK_THROWS_AS(min_max_params(2.0f, 1.0f, uint8), std::invalid_argument);
}

TEST_CASE("real zero is exact and in-range values round-trip within half a step",
          "[methods][quantization]") {
  Rng rng(11);
  const QuantRange ranges[] = {
      {8, false, false}, {8, true, false}, {4, true, false}, {4, false, false}};
  double worst = 0.0;
  for (const QuantRange& range : ranges) {
    for (int trial = 0; trial < 200; ++trial) {
      const float a = rng.uniform() * 10.0f - 5.0f, b = rng.uniform() * 10.0f - 5.0f;
      const float lo = std::min(a, b), hi = std::max(a, b);
      const QuantParams p = min_max_params(lo, hi, range);
      REQUIRE(dequantize_value(quantize_value(0.0f, p, range), p) == 0.0f);
      for (int k = 0; k < 20; ++k) {
        const float x = lo + (hi - lo) * rng.uniform();
        const float error = std::fabs(dequantize_value(quantize_value(x, p, range), p) - x);
        worst = std::max(worst, static_cast<double>(error / p.scale));
      }
    }
  }
  INFO("max |x - deq(q(x))| / S = " << worst);
  CHECK(worst <= 0.5 + 1e-3);
}

}  // namespace
}  // namespace slim
