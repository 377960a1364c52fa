#include "kernels/int8/common_shift.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace slim {
namespace {

constexpr int kMaxCommonShift = 62;  // rounding_divide_by_pot_int64's limit
constexpr int64_t kCommonQ31One = int64_t{1} << 31;

void check_common_shift_reals(std::span<const double> reals) {
  for (const double m : reals) {
    if (!std::isfinite(m) || m < 0.0) {
      throw std::invalid_argument(
          fmt::format("common_shift_multipliers: M = {} (need finite, >= 0)", m));
    }
  }
}

// The shift that puts `largest` in [2^30, 2^31) after rounding.
int common_shift_for(double largest) {
  int exponent = 0;
  const double fraction = std::frexp(largest, &exponent);  // largest = fraction * 2^exponent
  int shift = 31 - exponent;
  // As in quantize_multiplier: a fraction that rounds up to 2^31 needs one bit less.
  if (std::llround(std::ldexp(fraction, 31)) == kCommonQ31One) --shift;
  if (shift < 0) {
    throw std::invalid_argument(fmt::format("common_shift_multipliers: M = {} >= 2^31", largest));
  }
  // Tiny multipliers would want more than 62 bits; they simply keep fewer significant bits.
  return std::min(shift, kMaxCommonShift);
}

}  // namespace

CommonShiftMultipliers common_shift_multipliers(std::span<const double> reals) {
  check_common_shift_reals(reals);
  CommonShiftMultipliers result;
  result.multipliers.assign(reals.size(), 0);
  const double largest = reals.empty() ? 0.0 : *std::max_element(reals.begin(), reals.end());
  if (largest == 0.0) return result;
  result.shift = common_shift_for(largest);
  for (size_t i = 0; i < reals.size(); ++i) {
    result.multipliers[i] = std::llround(std::ldexp(reals[i], result.shift));
  }
  return result;
}

int64_t scaled_constant(double c, int shift) {
  const double limit = std::ldexp(1.0, 62);
  const double scaled = std::clamp(std::ldexp(c, shift), -limit, limit);
  return std::llround(scaled);
}

}  // namespace slim
