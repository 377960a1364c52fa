// kernels/int8/fixed_point.h and common_shift.h: hand-computed values (each noted with
// its arithmetic), the INT32_MIN corners, and random inputs against a double-precision
// reference: round(acc * M) for the M a FixedPointMultiplier stands for, within 1.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/rng.h"
#include "kernels/int8/common_shift.h"
#include "kernels/int8/fixed_point.h"

namespace slim {
namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

// round(x) half away from zero, in double: the exactly rounded reference.
int64_t round_half_away(double x) {
  return static_cast<int64_t>(std::round(x));
}

TEST_CASE("quantize_multiplier: frexp fraction in Q0.31 and the exponent", "[int8]") {
  // 0.5 = 0.5 * 2^0 -> 2^30, shift 0.
  CHECK(quantize_multiplier(0.5).multiplier == (1 << 30));
  CHECK(quantize_multiplier(0.5).shift == 0);
  // 0.75 = 0.75 * 2^0 -> 0.75 * 2^31 = 1610612736.
  CHECK(quantize_multiplier(0.75).multiplier == 1610612736);
  CHECK(quantize_multiplier(0.75).shift == 0);
  // 0.1 = 0.8 * 2^-3 -> round(0.8 * 2^31) = 1717986918, shift -3.
  CHECK(quantize_multiplier(0.1).multiplier == 1717986918);
  CHECK(quantize_multiplier(0.1).shift == -3);
  // M >= 1 is a left shift: 3 = 0.75 * 2^2.
  CHECK(quantize_multiplier(3.0).multiplier == 1610612736);
  CHECK(quantize_multiplier(3.0).shift == 2);
  // 1 = 0.5 * 2^1.
  CHECK(quantize_multiplier(1.0).multiplier == (1 << 30));
  CHECK(quantize_multiplier(1.0).shift == 1);
}

TEST_CASE("quantize_multiplier: the 2^31 corner, zero, tiny and invalid M", "[int8]") {
  // A fraction of 1 - 2^-33 rounds to 2^31 in Q0.31: it becomes 2^30 one exponent up.
  const double just_below_one = 1.0 - std::ldexp(1.0, -33);
  const FixedPointMultiplier corner = quantize_multiplier(just_below_one);
  CHECK(corner.multiplier == (1 << 30));
  CHECK(corner.shift == 1);
  CHECK(multiplier_value(corner) == 1.0);
  CHECK(quantize_multiplier(0.0).multiplier == 0);
  CHECK(quantize_multiplier(0.0).shift == 0);
  CHECK(multiply_by_quantized_multiplier(12345, quantize_multiplier(0.0)) == 0);
  // Below 2^-32 the right shift would pass 31 bits: the multiplier is zero.
  CHECK(quantize_multiplier(std::ldexp(1.0, -40)).multiplier == 0);
  CHECK_THROWS_AS(quantize_multiplier(-0.5), std::invalid_argument);
  CHECK_THROWS_AS(quantize_multiplier(std::nan("")), std::invalid_argument);
  CHECK_THROWS_AS(quantize_multiplier(std::ldexp(1.0, 31)), std::invalid_argument);
}

TEST_CASE("saturating_rounding_doubling_high_mul: hand-computed products", "[int8]") {
  const int32_t half = 1 << 30;  // 0.5 in Q0.31
  // 1000 * 0.5 = 500 exactly.
  CHECK(saturating_rounding_doubling_high_mul(1000, half) == 500);
  CHECK(saturating_rounding_doubling_high_mul(-1000, half) == -500);
  // 3 * 0.5 = 1.5: a positive half rounds up.
  CHECK(saturating_rounding_doubling_high_mul(3, half) == 2);
  // -3 * 0.5 = -1.5: gemmlowp's nudge sends a negative exact half toward zero.
  CHECK(saturating_rounding_doubling_high_mul(-3, half) == -1);
  // 5 * 0.75 = 3.75 -> 4; -5 * 0.75 = -3.75 -> -4 (no tie: nearest).
  CHECK(saturating_rounding_doubling_high_mul(5, 1610612736) == 4);
  CHECK(saturating_rounding_doubling_high_mul(-5, 1610612736) == -4);
  // -7 * 0.1 = -0.7 -> -1 (an arithmetic shift with the same nudge would give -2).
  CHECK(saturating_rounding_doubling_high_mul(-7, 214748365) == -1);
  // The one overflow: (-1) * (-1) in Q0.31 saturates.
  CHECK(saturating_rounding_doubling_high_mul(kMin, kMin) == kMax);
  // INT32_MIN * 0.5 = -2^30 exactly; INT32_MIN * (almost 1) stays in range.
  CHECK(saturating_rounding_doubling_high_mul(kMin, half) == -half);
  CHECK(saturating_rounding_doubling_high_mul(kMin, kMax) == -kMax);
  CHECK(saturating_rounding_doubling_high_mul(kMax, kMax) == kMax - 1);
}

TEST_CASE("rounding_divide_by_pot rounds half away from zero", "[int8]") {
  CHECK(rounding_divide_by_pot(5, 1) == 3);    // 2.5 -> 3
  CHECK(rounding_divide_by_pot(-5, 1) == -3);  // -2.5 -> -3
  CHECK(rounding_divide_by_pot(7, 2) == 2);    // 1.75 -> 2
  CHECK(rounding_divide_by_pot(-7, 2) == -2);  // -1.75 -> -2
  CHECK(rounding_divide_by_pot(6, 2) == 2);    // 1.5 -> 2
  CHECK(rounding_divide_by_pot(-6, 2) == -2);  // -1.5 -> -2
  CHECK(rounding_divide_by_pot(-5, 2) == -1);  // -1.25 -> -1
  CHECK(rounding_divide_by_pot(-1, 1) == -1);  // -0.5 -> -1
  CHECK(rounding_divide_by_pot(123, 0) == 123);
  CHECK(rounding_divide_by_pot(kMin, 31) == -1);        // exactly -1
  CHECK(rounding_divide_by_pot(kMax, 31) == 1);         // 0.99999... -> 1
  CHECK(rounding_divide_by_pot(-(1 << 30), 31) == -1);  // -0.5 -> -1
  CHECK(rounding_divide_by_pot(1 << 30, 31) == 1);      // 0.5 -> 1
  CHECK(rounding_divide_by_pot(kMin, 1) == -(1 << 30));
  CHECK_THROWS_AS(rounding_divide_by_pot(1, 32), std::invalid_argument);
  CHECK(rounding_divide_by_pot_int64(-(int64_t{5} << 40), 41) == -3);  // -2.5 -> -3
  CHECK(rounding_divide_by_pot_int64(int64_t{3} << 60, 62) == 1);      // 0.75 -> 1
}

TEST_CASE("multiply_by_quantized_multiplier: hand-computed values", "[int8]") {
  // 0.1 is 1717986918 * 2^(-3-31): the high multiply gives round(100 * 0.79999999981) = 80,
  // and 80 / 2^3 = 10.
  CHECK(multiply_by_quantized_multiplier(100, quantize_multiplier(0.1)) == 10);
  CHECK(multiply_by_quantized_multiplier(-100, quantize_multiplier(0.1)) == -10);
  // 25 * 0.1: the high multiply gives 20, and 20 / 2^3 = 2.5 rounds away from zero.
  CHECK(multiply_by_quantized_multiplier(25, quantize_multiplier(0.1)) == 3);
  CHECK(multiply_by_quantized_multiplier(-25, quantize_multiplier(0.1)) == -3);
  // 7 * 0.25: 0.25 = 2^30 * 2^(-1-31), 7 * 0.5 = 3.5 (high mul rounds to 4), then 4 / 2 = 2,
  // which is round(1.75).
  CHECK(multiply_by_quantized_multiplier(7, quantize_multiplier(0.25)) == 2);
  // M >= 1: 3 = 0.75 * 2^2, so 1000 << 2 = 4000, times 0.75 is 3000.
  CHECK(multiply_by_quantized_multiplier(1000, quantize_multiplier(3.0)) == 3000);
  CHECK(multiply_by_quantized_multiplier(-1000, quantize_multiplier(3.0)) == -3000);
  // A left shift past int32 saturates (4 = 0.5 * 2^3: kMax * 0.5 after the shift), so an
  // out-of-range product stays far outside the int8 range with its sign.
  CHECK(multiply_by_quantized_multiplier(kMax / 2, quantize_multiplier(4.0)) == (1 << 30));
  CHECK(multiply_by_quantized_multiplier(kMin, quantize_multiplier(4.0)) == -(1 << 30));
  // INT32_MIN * 0.5 = -2^30 exactly.
  CHECK(multiply_by_quantized_multiplier(kMin, quantize_multiplier(0.5)) == -(1 << 30));
}

// Exactly rounded round(acc * M) against the fixed-point result, for M over many
// octaves and accumulators whose product stays within int32 with margin.
TEST_CASE("multiply_by_quantized_multiplier is within 1 of round(acc * M)", "[int8]") {
  Rng rng(2024);
  int64_t exact = 0, off_by_one = 0, worse = 0;
  constexpr int kTrials = 200000;
  for (int trial = 0; trial < kTrials; ++trial) {
    const double m = std::ldexp(0.5 + 0.5 * rng.uniform(), static_cast<int>(rng.below(40)) - 30);
    const FixedPointMultiplier fixed = quantize_multiplier(m);
    // |acc * M| below 2^29, so the 31-bit multiplier's relative error 2^-31 moves the
    // product by less than 1/4.
    const double limit = std::min(2147483647.0, std::ldexp(1.0, 29) / m);
    const auto acc = static_cast<int32_t>((2.0 * rng.uniform() - 1.0) * limit);
    const int64_t want = round_half_away(static_cast<double>(acc) * m);
    const int64_t got = multiply_by_quantized_multiplier(acc, fixed);
    const int64_t diff = got > want ? got - want : want - got;
    exact += diff == 0;
    off_by_one += diff == 1;
    worse += diff > 1;
  }
  // Including INT32_MIN and INT32_MAX themselves with M < 1.
  for (const int32_t acc : {kMin, kMax, kMin + 1, -1, 0, 1}) {
    for (const double m : {0.999999, 0.5, 0.123456789, 1e-9}) {
      const int64_t want = round_half_away(static_cast<double>(acc) * m);
      const int64_t got = multiply_by_quantized_multiplier(acc, quantize_multiplier(m));
      CHECK(std::abs(got - want) <= 1);
    }
  }
  WARN("fixed point vs round(acc * M) over " << kTrials << " trials: " << exact << " exact, "
                                             << off_by_one << " off by one, " << worse << " worse");
  CHECK(worse == 0);
  CHECK(exact >= kTrials * 99 / 100);
}

TEST_CASE("multiply_by_quantized_multiplier_rounding_once rounds acc * M exactly once", "[int8]") {
  // -138 * 0.43: the two-rounding form gives round(-138 * 0.86) = -119, then -59.5 -> -60;
  // one rounding gives round(-59.34) = -59.
  const FixedPointMultiplier m = quantize_multiplier(0.43);
  CHECK(multiply_by_quantized_multiplier(-138, m) == -60);
  CHECK(multiply_by_quantized_multiplier_rounding_once(-138, m) == -59);
  // 3 * 0.5 = 1.5 and -3 * 0.5 = -1.5: halves go away from zero.
  CHECK(multiply_by_quantized_multiplier_rounding_once(3, quantize_multiplier(0.5)) == 2);
  CHECK(multiply_by_quantized_multiplier_rounding_once(-3, quantize_multiplier(0.5)) == -2);
  // M >= 1 and accumulators beyond int32 (acc + bias may take 33 bits).
  CHECK(multiply_by_quantized_multiplier_rounding_once(1000, quantize_multiplier(3.0)) == 3000);
  const int64_t big = int64_t{1} << 32;
  CHECK(multiply_by_quantized_multiplier_rounding_once(-big, quantize_multiplier(0.5)) == -big / 2);
  CHECK_THROWS_AS(multiply_by_quantized_multiplier_rounding_once(big + 1, quantize_multiplier(0.5)),
                  std::invalid_argument);
  // Against the exact value acc * multiplier * 2^(shift - 31), which long double (64-bit
  // mantissa) holds exactly: equal on every trial, ties included.
  Rng rng(7);
  int64_t mismatches = 0;
  for (int trial = 0; trial < 100000; ++trial) {
    const double real = std::ldexp(0.5 + 0.5 * rng.uniform(), static_cast<int>(rng.below(40)) - 30);
    const FixedPointMultiplier fixed = quantize_multiplier(real);
    const auto acc = static_cast<int64_t>(rng.next_u64() % (uint64_t{1} << 33)) - big;
    const long double exact =
        std::ldexp(static_cast<long double>(acc) * fixed.multiplier, fixed.shift - 31);
    mismatches += multiply_by_quantized_multiplier_rounding_once(acc, fixed) !=
                  static_cast<int64_t>(std::round(exact));
  }
  CHECK(mismatches == 0);
}

TEST_CASE("common_shift_multipliers: one shift, the largest keeps 31 bits", "[int8]") {
  // Largest 0.75 = 0.75 * 2^0 -> shift 31, m = 0.75 * 2^31; 0.25 -> 2^29.
  const std::vector<double> reals = {0.75, 0.25, 0.0};
  const CommonShiftMultipliers shared = common_shift_multipliers(reals);
  CHECK(shared.shift == 31);
  CHECK(shared.multipliers == std::vector<int64_t>{1610612736, 536870912, 0});
  // Largest 3 = 0.75 * 2^2 -> shift 29.
  const std::vector<double> large = {3.0, 1e-3};
  const CommonShiftMultipliers shifted = common_shift_multipliers(large);
  CHECK(shifted.shift == 29);
  CHECK(shifted.multipliers[0] == 1610612736);
  CHECK(shifted.multipliers[1] == std::llround(1e-3 * std::ldexp(1.0, 29)));
  // Tiny multipliers cap the shift at 62.
  const std::vector<double> tiny = {1e-12};
  CHECK(common_shift_multipliers(tiny).shift == 62);
  const std::vector<double> zeros = {0.0, 0.0};
  CHECK(common_shift_multipliers(zeros).shift == 0);
  const std::vector<double> negative = {-1.0};
  CHECK_THROWS_AS(common_shift_multipliers(negative), std::invalid_argument);
  CHECK(scaled_constant(2.5, 0) == 3);
  CHECK(scaled_constant(-2.5, 0) == -3);
  CHECK(scaled_constant(1e30, 10) == (int64_t{1} << 62));
}

}  // namespace
}  // namespace slim
