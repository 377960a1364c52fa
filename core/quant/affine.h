// The affine mapping every quantizer shares (REFERENCE.md, "Quantization mapping"):
//   Q = clamp(round(R * (1/S)) + Z, qmin, qmax)        R = (Q - Z) * S
// with the integer range, the rounding mode and the two standard ways of choosing S and
// Z. This is the quantization issue's foundation; calibrators (which find the range to
// map) and the integer kernels build on it.
#pragma once

#include <cstdint>
#include <string_view>

namespace slim {

enum class Rounding { kHalfToEven, kHalfAwayFromZero };

// The integer grid: b bits, signed or not; "narrow" drops the most negative signed code
// (int8 -> [-127, 127]) so that products of two codes are symmetric.
struct QuantRange {
  int bits = 8;
  bool is_signed = true;
  bool narrow = false;
  int32_t qmin() const;
  int32_t qmax() const;
};

struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Symmetric, non-saturating: S = amax / qmax, Z = 0 (signed) or the midpoint (unsigned).
// amax must be finite and >= 0; amax == 0 maps everything to Z with S = FLT_EPSILON.
QuantParams abs_max_params(float amax, const QuantRange& range);
// Asymmetric (PyTorch's observer formula): the range is widened to include 0.0 so zero is
// exactly representable, S = max((max' - min') / (qmax - qmin), FLT_EPSILON) and
// Z = qmin - round(min' / S), clamped to the grid. Requires min <= max, both finite.
QuantParams min_max_params(float min, float max, const QuantRange& range);

// round(x) in the given mode, as the float nearest integer.
float round_with(float x, Rounding mode);
// x * (1/S) in float, as PyTorch computes it, then rounded, shifted and clamped.
int32_t quantize_value(float x, const QuantParams& params, const QuantRange& range,
                       Rounding mode = Rounding::kHalfToEven);
float dequantize_value(int32_t q, const QuantParams& params);

}  // namespace slim
