// Several real multipliers sharing one power of two, for sums of rescaled integers.
//
// Where an output is a sum of integers that each need their own real scale,
//   y = round(sum_i M_i * x_i + c),
// (per-group weights: one M per group; qadd: one per input), each M_i becomes an integer
// m_i = round(M_i * 2^s) with ONE shift s for all of them. The sum is then exact in int64,
//   T = sum_i m_i * x_i + round(c * 2^s),
// and rounded once: y = rounding_divide_by_pot_int64(T, s) (half away from zero). s is
// the largest shift that keeps every m_i below 2^31, so the largest multiplier keeps 31
// significant bits; the error of the whole sum is at most sum_i |x_i| * 2^-(s+1) before
// the final rounding.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace slim {

struct CommonShiftMultipliers {
  std::vector<int64_t> multipliers;  // m_i = round(M_i * 2^shift), each < 2^31
  int shift = 0;                     // in [0, 62]
};

// Throws std::invalid_argument for a negative or non-finite M_i, or a largest M_i >= 2^31.
// When every M_i is 0 the shift is 0.
CommonShiftMultipliers common_shift_multipliers(std::span<const double> reals);

// round(c * 2^shift) half away from zero, clamped to +-2^62 so that adding it to a sum
// of products below 2^62 cannot overflow int64.
int64_t scaled_constant(double c, int shift);

}  // namespace slim
