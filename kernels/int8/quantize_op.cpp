#include "kernels/int8/quantize_op.h"

#include <immintrin.h>

#include <algorithm>
#include <stdexcept>

#include "kernels/int8/common_shift.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/fixed_point.h"
#include "kernels/int8/grid_check.h"

namespace slim {

namespace {

void check_sizes(std::span<const float> values, std::span<int8_t> codes) {
  if (values.size() != codes.size()) throw std::logic_error("quantize_values: size mismatch");
}

}  // namespace

void quantize_values_reference(std::span<const float> values, const ActivationQuant& quant,
                               std::span<int8_t> codes) {
  check_sizes(values, codes);
  for (size_t i = 0; i < values.size(); ++i) {
    codes[i] = static_cast<int8_t>(quantize_activation(values[i], quant));
  }
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) void quantize_values_avx512(
    std::span<const float> values, const ActivationQuant& quant, std::span<int8_t> codes) {
  check_sizes(values, codes);
  if (quant.rounding != Rounding::kHalfToEven) {
    throw std::logic_error("quantize_values_avx512: only for grids rounding half to even");
  }
  const __m512 inverse_scale = _mm512_set1_ps(1.0f / quant.scale);
  const __m512 zero_point = _mm512_set1_ps(static_cast<float>(quant.zero_point));
  const __m512 qmin = _mm512_set1_ps(static_cast<float>(quant.qmin));
  const __m512 qmax = _mm512_set1_ps(static_cast<float>(quant.qmax));
  const auto n = static_cast<int64_t>(values.size());
  for (int64_t i = 0; i < n; i += 16) {
    const int64_t left = n - i;
    const auto lanes = static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1u << left) - 1);
    const __m512 x = _mm512_maskz_loadu_ps(lanes, values.data() + i);
    const __m512 rounded = _mm512_roundscale_ps(_mm512_mul_ps(x, inverse_scale),
                                                _MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC);
    __m512 q = _mm512_add_ps(rounded, zero_point);
    // std::clamp's comparisons, so that NaN passes through as it does there.
    q = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(q, qmin, _CMP_LT_OQ), q, qmin);
    q = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(qmax, q, _CMP_LT_OQ), q, qmax);
    _mm_mask_storeu_epi8(codes.data() + i, lanes, _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(q)));
  }
}

void quantize_values(std::span<const float> values, const ActivationQuant& quant,
                     std::span<int8_t> codes) {
  static const bool avx512 = avx512_unavailable_reason().empty();
  if (avx512 && quant.rounding == Rounding::kHalfToEven) {
    quantize_values_avx512(values, quant, codes);
  } else {
    quantize_values_reference(values, quant, codes);
  }
}

void QuantizeOp::run(const Tensor& input, Int8Tensor& output) const {
  output.resize(input.shape());
  output.quant = quant_;
  quantize_values(input.values(), quant_, output.codes);
}

RequantizeOp::RequantizeOp(const ActivationQuant& input, const ActivationQuant& output)
    : input_(input), output_(output) {
  const std::array<double, 1> ratio = {static_cast<double>(input.scale) /
                                       static_cast<double>(output.scale)};
  const CommonShiftMultipliers scale = common_shift_multipliers(ratio);
  const bool same_reals = input.scale == output.scale && input.zero_point == output.zero_point;
  for (int32_t q = -128; q <= 127; ++q) {
    const int64_t moved =
        same_reals
            ? q
            : output.zero_point + rounding_divide_by_pot_int64(
                                      scale.multipliers[0] * (q - input.zero_point), scale.shift);
    table_[static_cast<size_t>(q + 128)] =
        static_cast<int8_t>(std::clamp<int64_t>(moved, output.qmin, output.qmax));
  }
}

void RequantizeOp::run(const Int8Tensor& input, Int8Tensor& output) const {
  check_codes_fit_grid(input.quant, input_, "requantize");
  output.resize(input.shape);
  output.quant = output_;
  for (size_t i = 0; i < input.codes.size(); ++i) {
    output.codes[i] = table_[static_cast<size_t>(input.codes[i] + 128)];
  }
}

}  // namespace slim
