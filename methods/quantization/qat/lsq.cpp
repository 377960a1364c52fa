// LSQ's step-size gradient and initialisation (lsq.h).
#include "methods/quantization/qat/lsq.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace slim {

float lsq_min_scale() {
  return FLT_EPSILON;
}

int32_t lsq_positive_codes(const ActivationQuant& grid) {
  return std::max(grid.qmax - grid.zero_point, 1);
}

float lsq_gradient_scale(int64_t elements_per_scale, int32_t positive_codes) {
  const double n = static_cast<double>(std::max<int64_t>(elements_per_scale, 1));
  return static_cast<float>(1.0 / std::sqrt(n * static_cast<double>(positive_codes)));
}

float lsq_initial_scale(std::span<const float> values, int32_t positive_codes) {
  double sum_abs = 0.0;
  for (float x : values) sum_abs += std::fabs(static_cast<double>(x));
  const double mean_abs = values.empty() ? 0.0 : sum_abs / static_cast<double>(values.size());
  const double scale = 2.0 * mean_abs / std::sqrt(static_cast<double>(positive_codes));
  return std::max(static_cast<float>(scale), lsq_min_scale());
}

float lsq_scale_derivative(float x, const ActivationQuant& grid) {
  // The same arithmetic as quantize_activation(), so "inside" agrees with the forward.
  const float v = x * (1.0f / grid.scale);
  const float rounded = round_with(v, grid.rounding);
  const float code = rounded + static_cast<float>(grid.zero_point);
  if (code < static_cast<float>(grid.qmin)) return static_cast<float>(grid.qmin - grid.zero_point);
  if (code > static_cast<float>(grid.qmax)) return static_cast<float>(grid.qmax - grid.zero_point);
  return rounded - v;
}

}  // namespace slim
