#include "kernels/int8/quantized_add_op.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "kernels/int8/common_shift.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/fixed_point.h"
#include "kernels/int8/grid_check.h"
#include "kernels/int8/requantize_avx512.h"

namespace slim {

QuantizedAddOp::QuantizedAddOp(const QuantizedAdd& layer)
    : lhs_(layer.lhs()), rhs_(layer.rhs()), output_(layer.output()) {
  const double output_scale = output_.scale;
  const std::array<double, 2> reals = {lhs_.scale / output_scale, rhs_.scale / output_scale};
  const CommonShiftMultipliers shared = common_shift_multipliers(reals);
  lhs_multiplier_ = shared.multipliers[0];
  rhs_multiplier_ = shared.multipliers[1];
  shift_ = shared.shift;
}

void QuantizedAddOp::add_reference(const int8_t* a, const int8_t* b, int64_t n, int8_t* y) const {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t total =
        lhs_multiplier_ * (a[i] - lhs_.zero_point) + rhs_multiplier_ * (b[i] - rhs_.zero_point);
    const int64_t sum = output_.zero_point + rounding_divide_by_pot_int64(total, shift_);
    y[i] = static_cast<int8_t>(std::clamp<int64_t>(sum, output_.qmin, output_.qmax));
  }
}

// The reference's steps in 64-bit lanes.
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))) void QuantizedAddOp::add_avx512(
    const int8_t* a, const int8_t* b, int64_t n, int8_t* y) const {
  const __m512i lhs_multiplier = _mm512_set1_epi64(lhs_multiplier_);
  const __m512i rhs_multiplier = _mm512_set1_epi64(rhs_multiplier_);
  const __m512i lhs_zero = _mm512_set1_epi64(lhs_.zero_point);
  const __m512i rhs_zero = _mm512_set1_epi64(rhs_.zero_point);
  const __m512i shift = _mm512_set1_epi64(shift_);
  const __m512i output_zero = _mm512_set1_epi64(output_.zero_point);
  const __m512i qmin = _mm512_set1_epi64(output_.qmin);
  const __m512i qmax = _mm512_set1_epi64(output_.qmax);
  for (int64_t i = 0; i < n; i += 8) {
    const auto lanes = static_cast<__mmask8>(n - i >= 8 ? 0xFF : (1u << (n - i)) - 1);
    const __m512i codes_a = _mm512_cvtepi8_epi64(_mm_maskz_loadu_epi8(lanes, a + i));
    const __m512i codes_b = _mm512_cvtepi8_epi64(_mm_maskz_loadu_epi8(lanes, b + i));
    const __m512i total =
        _mm512_add_epi64(_mm512_mullo_epi64(_mm512_sub_epi64(codes_a, lhs_zero), lhs_multiplier),
                         _mm512_mullo_epi64(_mm512_sub_epi64(codes_b, rhs_zero), rhs_multiplier));
    const __m512i codes = divide_by_pot_to_codes(total, shift, output_zero, qmin, qmax);
    _mm_mask_storeu_epi8(y + i, lanes, _mm512_cvtepi64_epi8(codes));
  }
}

void QuantizedAddOp::run(const Int8Tensor& lhs, const Int8Tensor& rhs, Int8Tensor& output) const {
  if (lhs.shape != rhs.shape) throw std::logic_error("qadd op: the inputs' shapes differ");
  check_codes_fit_grid(lhs.quant, lhs_, "qadd (first input)");
  check_codes_fit_grid(rhs.quant, rhs_, "qadd (second input)");
  output.resize(lhs.shape);
  output.quant = output_;
  static const bool avx512 = avx512_unavailable_reason().empty();
  if (avx512) {
    add_avx512(lhs.data(), rhs.data(), lhs.numel(), output.data());
  } else {
    add_reference(lhs.data(), rhs.data(), lhs.numel(), output.data());
  }
}

}  // namespace slim
