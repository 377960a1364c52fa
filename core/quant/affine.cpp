#include "core/quant/affine.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <stdexcept>

namespace slim {

int32_t QuantRange::qmin() const {
  if (!is_signed) return 0;
  const int32_t lowest = -(1 << (bits - 1));
  return narrow ? lowest + 1 : lowest;
}

int32_t QuantRange::qmax() const {
  return is_signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
}

QuantParams abs_max_params(float amax, const QuantRange& range) {
  if (!std::isfinite(amax) || amax < 0.0f) {
    throw std::invalid_argument("abs_max_params: amax must be finite and non-negative");
  }
  QuantParams params;
  // Unsigned grids put real zero at the midpoint and use the half above it.
  params.zero_point = range.is_signed ? 0 : (range.qmin() + range.qmax() + 1) / 2;
  const auto positive_codes = static_cast<float>(range.qmax() - params.zero_point);
  params.scale = std::max(amax / positive_codes, FLT_EPSILON);
  return params;
}

QuantParams min_max_params(float min, float max, const QuantRange& range) {
  if (!std::isfinite(min) || !std::isfinite(max) || min > max) {
    throw std::invalid_argument("min_max_params: need finite min <= max");
  }
  const float min_neg = std::min(min, 0.0f), max_pos = std::max(max, 0.0f);
  QuantParams params;
  params.scale =
      std::max((max_pos - min_neg) / static_cast<float>(range.qmax() - range.qmin()), FLT_EPSILON);
  const float zero = static_cast<float>(range.qmin()) - std::nearbyint(min_neg / params.scale);
  params.zero_point = static_cast<int32_t>(
      std::clamp(zero, static_cast<float>(range.qmin()), static_cast<float>(range.qmax())));
  return params;
}

float round_with(float x, Rounding mode) {
  // nearbyint honours the current rounding mode, which is round-half-to-even by default.
  return mode == Rounding::kHalfToEven ? std::nearbyint(x) : std::round(x);
}

int32_t quantize_value(float x, const QuantParams& params, const QuantRange& range, Rounding mode) {
  const float inverse_scale = 1.0f / params.scale;
  const float q = round_with(x * inverse_scale, mode) + static_cast<float>(params.zero_point);
  return static_cast<int32_t>(
      std::clamp(q, static_cast<float>(range.qmin()), static_cast<float>(range.qmax())));
}

float dequantize_value(int32_t q, const QuantParams& params) {
  return static_cast<float>(q - params.zero_point) * params.scale;
}

}  // namespace slim
