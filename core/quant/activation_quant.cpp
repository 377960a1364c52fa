#include "core/quant/activation_quant.h"

#include <algorithm>

namespace slim {

ActivationQuant ActivationQuant::with_relu() const {
  ActivationQuant fused = *this;
  fused.qmin = std::clamp(zero_point, qmin, qmax);
  return fused;
}

ActivationQuant to_activation_quant(const QuantParams& params, const QuantRange& range,
                                    Rounding rounding) {
  const int32_t shift = range.is_signed ? 0 : -(1 << (range.bits - 1));
  return ActivationQuant{.scale = params.scale,
                         .zero_point = params.zero_point + shift,
                         .qmin = range.qmin() + shift,
                         .qmax = range.qmax() + shift,
                         .rounding = rounding};
}

int32_t quantize_activation(float x, const ActivationQuant& quant) {
  const float inverse_scale = 1.0f / quant.scale;
  const float q =
      round_with(x * inverse_scale, quant.rounding) + static_cast<float>(quant.zero_point);
  return static_cast<int32_t>(
      std::clamp(q, static_cast<float>(quant.qmin), static_cast<float>(quant.qmax)));
}

void fake_quantize(std::span<float> values, const ActivationQuant& quant) {
  for (float& x : values) x = quant.dequantize(quantize_activation(x, quant));
}

nlohmann::json to_json(const ActivationQuant& quant) {
  return {{"scale", quant.scale},
          {"zero_point", quant.zero_point},
          {"qmin", quant.qmin},
          {"qmax", quant.qmax},
          {"rounding",
           quant.rounding == Rounding::kHalfToEven ? "half_to_even" : "half_away_from_zero"}};
}

}  // namespace slim
