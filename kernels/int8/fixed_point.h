// Fixed-point arithmetic of the integer-only inference path (gemmlowp / TFLite
// convention, REFERENCE.md "Integer-only inference").
//
// A real multiplier M >= 0 is stored as a 31-bit fraction and a power of two:
//   M ~= multiplier * 2^(shift - 31),   multiplier in [2^30, 2^31) (or 0 when M == 0).
// shift > 0 is a left shift of the accumulator before the multiplication (M >= 1);
// shift <= 0 is a rounding right shift after it. Applying M to an int32 accumulator
// therefore needs only a 32x32->64-bit multiply and shifts, never a float.
//
// multiply_by_quantized_multiplier follows gemmlowp bit for bit: the final shift rounds
// half away from zero; the high multiply rounds to nearest, with exact halves of negative
// products going toward zero (its nudge of 1 - 2^30 under a truncating division).
// REFERENCE.md writes that division as ">> 31"; an arithmetic shift would floor instead
// and be off by one for most negative products, so the code divides. Rounding twice costs
// agreement with the FP32 simulation, so the layers apply the same multiplier through
// multiply_by_quantized_multiplier_rounding_once (one 64-bit product, one rounding).
#pragma once

#include <cstdint>

namespace slim {

// The multiplier's fraction bits: M = multiplier * 2^(shift - kMaxInt32Shift).
inline constexpr int kMaxInt32Shift = 31;

struct FixedPointMultiplier {
  int32_t multiplier = 0;  // Q0.31 fraction in [2^30, 2^31), or 0
  int shift = 0;           // power of two: > 0 shifts left, < 0 shifts right
};

// Throws std::invalid_argument for a negative or non-finite M, or M >= 2^31 (no int32
// accumulator could be scaled by it). M below 2^-32 becomes {0, 0}: it maps every int32
// accumulator to 0 or +-1, and a right shift by more than 31 bits is not representable.
FixedPointMultiplier quantize_multiplier(double real_multiplier);

// The value the multiplier stands for, multiplier * 2^(shift - 31) (for tests and docs).
double multiplier_value(const FixedPointMultiplier& m);

// round(a * b / 2^31) computed in 64 bits (ties: see above); the one overflowing case,
// INT32_MIN * INT32_MIN, saturates to INT32_MAX.
int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b);

// round(x / 2^exponent), half away from zero; exponent in [0, 31].
int32_t rounding_divide_by_pot(int32_t x, int exponent);
// The same for 64-bit values; exponent in [0, 62]. Used where several products share one
// shift (per-group requantization, qadd).
int64_t rounding_divide_by_pot_int64(int64_t x, int exponent);
// The same without the range check, for hot loops whose exponents were checked when the
// multipliers were built.
inline int64_t rounding_divide_by_pot_int64_unchecked(int64_t x, int exponent) {
  const int64_t mask = (int64_t{1} << exponent) - 1;
  const int64_t remainder = x & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// round(acc * M) for the M that `m` represents: a saturating left shift when shift > 0,
// the rounding high multiply, then a rounding right shift when shift < 0.
int32_t multiply_by_quantized_multiplier(int32_t acc, const FixedPointMultiplier& m);

// round(acc * M) with ONE rounding, half away from zero: the 64-bit product
// acc * multiplier shifted right by 31 - shift. Same multiplier, no intermediate rounding:
// gemmlowp's two roundings (high multiply, then shift) make about 0.1-1% of requantized
// codes differ by one from the exactly rounded value when accumulators are small (4-bit
// weights, short reductions); this form leaves only exact ties. |acc| <= 2^32, so the
// product stays below 2^63.
int64_t multiply_by_quantized_multiplier_rounding_once(int64_t acc, const FixedPointMultiplier& m);

// Clamps a 64-bit value into int32 (the saturation every widening step needs).
int32_t saturate_to_int32(int64_t x);

}  // namespace slim
