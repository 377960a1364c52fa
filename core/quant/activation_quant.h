// ActivationQuant: how one int8 activation tensor maps to reals, and the fake-quant
// (quantize-then-dequantize) that simulates it in FP32.
//
// Activations are always stored as int8 (codes in [qmin, qmax] within [-128, 127]).
// An unsigned grid ([0, 255], as PyTorch's quint8) is stored shifted by -128, codes and
// zero point alike: the real values are identical, and every integer kernel then deals
// with one storage type. to_activation_quant() does that shift.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "core/quant/affine.h"

namespace slim {

struct ActivationQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;  // in the int8 storage grid
  int32_t qmin = -128;
  int32_t qmax = 127;
  Rounding rounding = Rounding::kHalfToEven;  // used wherever a float is mapped onto this grid

  float dequantize(int32_t q) const { return static_cast<float>(q - zero_point) * scale; }
  // The grid with a fused ReLU: codes below the zero point (negative reals) are clamped.
  ActivationQuant with_relu() const;
  bool operator==(const ActivationQuant&) const = default;
};

// 8-bit params from affine.h, shifted into int8 storage when `range` is unsigned.
ActivationQuant to_activation_quant(const QuantParams& params, const QuantRange& range,
                                    Rounding rounding = Rounding::kHalfToEven);

// clamp(round(x / S) + Z, qmin, qmax), with x / S computed as x * (1 / S) (PyTorch's way).
int32_t quantize_activation(float x, const ActivationQuant& quant);
// In place: x <- (quantize(x) - Z) * S.
void fake_quantize(std::span<float> values, const ActivationQuant& quant);

nlohmann::json to_json(const ActivationQuant& quant);

}  // namespace slim
