#include "kernels/int8/fixed_point.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace slim {
namespace {

constexpr int64_t kQ31One = int64_t{1} << 31;  // 1.0 in Q0.31

}  // namespace

FixedPointMultiplier quantize_multiplier(double real_multiplier) {
  if (!std::isfinite(real_multiplier) || real_multiplier < 0.0) {
    throw std::invalid_argument(
        fmt::format("quantize_multiplier: M = {} (need finite, >= 0)", real_multiplier));
  }
  if (real_multiplier == 0.0) return {};
  int exponent = 0;
  const double fraction = std::frexp(real_multiplier, &exponent);  // in [0.5, 1)
  int64_t fixed = std::llround(fraction * static_cast<double>(kQ31One));
  // A fraction just below 1 rounds up to 2^31, which is no longer a Q0.31 value: use
  // 2^30 (= 0.5) one power of two higher instead, the same number.
  if (fixed == kQ31One) {
    fixed /= 2;
    ++exponent;
  }
  if (exponent > kMaxInt32Shift) {
    throw std::invalid_argument(
        fmt::format("quantize_multiplier: M = {} >= 2^31", real_multiplier));
  }
  if (exponent < -kMaxInt32Shift) return {};
  return {static_cast<int32_t>(fixed), exponent};
}

double multiplier_value(const FixedPointMultiplier& m) {
  return std::ldexp(static_cast<double>(m.multiplier), m.shift - 31);
}

int32_t saturate_to_int32(int64_t x) {
  return static_cast<int32_t>(std::clamp<int64_t>(x, std::numeric_limits<int32_t>::min(),
                                                  std::numeric_limits<int32_t>::max()));
}

int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  // The only product that does not fit after doubling: (-1) * (-1) = +1 in Q0.31.
  if (a == b && a == std::numeric_limits<int32_t>::min()) {
    return std::numeric_limits<int32_t>::max();
  }
  const int64_t product = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  // gemmlowp's nudge, with a division that truncates toward zero (an arithmetic shift
  // would floor, and be one too low for most negative products): positive halves round
  // up, negative exact halves round toward zero; every non-tie is rounded to nearest.
  const int64_t half = int64_t{1} << 30;
  const int64_t nudge = product >= 0 ? half : 1 - half;
  return static_cast<int32_t>((product + nudge) / kQ31One);
}

int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  if (exponent < 0 || exponent > kMaxInt32Shift) {
    throw std::invalid_argument(fmt::format("rounding_divide_by_pot: exponent {}", exponent));
  }
  // The remainder's threshold is one higher for negative x, so a remainder of exactly
  // one half rounds up (away from zero) for positive x and down for negative x, while
  // the arithmetic shift itself floors.
  const auto mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int64_t rounding_divide_by_pot_int64(int64_t x, int exponent) {
  if (exponent < 0 || exponent > 62) {
    throw std::invalid_argument(fmt::format("rounding_divide_by_pot_int64: exponent {}", exponent));
  }
  return rounding_divide_by_pot_int64_unchecked(x, exponent);
}

int32_t multiply_by_quantized_multiplier(int32_t acc, const FixedPointMultiplier& m) {
  const int left_shift = std::max(m.shift, 0);
  const int right_shift = std::max(-m.shift, 0);
  // A multiplier >= 1 scales the accumulator up first; saturating keeps an out-of-range
  // result pinned at the int32 limits (the clamp to int8 follows anyway).
  const int32_t scaled = saturate_to_int32(static_cast<int64_t>(acc) * (int64_t{1} << left_shift));
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(scaled, m.multiplier),
                                right_shift);
}

int64_t multiply_by_quantized_multiplier_rounding_once(int64_t acc, const FixedPointMultiplier& m) {
  constexpr int64_t kLimit = int64_t{1} << 32;
  if (acc > kLimit || acc < -kLimit) {
    throw std::invalid_argument(
        fmt::format("multiply_by_quantized_multiplier_rounding_once: |{}| > 2^32", acc));
  }
  // shift is in [-31, 31] (quantize_multiplier), so the exponent is in [0, 62].
  return rounding_divide_by_pot_int64(acc * m.multiplier, kMaxInt32Shift - m.shift);
}

}  // namespace slim
