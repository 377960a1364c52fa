#include "kernels/int8/requantize.h"

#include <immintrin.h>

#include <algorithm>
#include <stdexcept>

#include "kernels/int8/common_shift.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/requantize_avx512.h"

namespace slim {
namespace {

// S_x * S_w / S_y in double: the float scales are exact in double, so only the one
// rounding of the quotient remains.
double output_multiplier(float input_scale, float weight_scale, float output_scale) {
  return static_cast<double>(input_scale) * static_cast<double>(weight_scale) /
         static_cast<double>(output_scale);
}

}  // namespace

StaticRequantizer::StaticRequantizer(const QuantizedWeight& weight, const std::vector<float>& bias,
                                     const StaticScheme& scheme)
    : output_(scheme.output), groups_(weight.groups_per_row()) {
  if (groups_ == 1) {
    build_single_group(weight, bias, scheme);
  } else {
    build_grouped(weight, bias, scheme);
  }
}

void StaticRequantizer::build_single_group(const QuantizedWeight& weight,
                                           const std::vector<float>& bias,
                                           const StaticScheme& scheme) {
  const float input_scale = scheme.input.scale;
  for (int64_t o = 0; o < weight.rows(); ++o) {
    const float weight_scale = weight.scale(o, 0);
    const FixedPointMultiplier m =
        quantize_multiplier(output_multiplier(input_scale, weight_scale, scheme.output.scale));
    row_constants_.multipliers.push_back(m.multiplier);
    row_constants_.exponents.push_back(kMaxInt32Shift - m.shift);
    // The same rounding the simulation applies to its bias (simulated_bias()).
    row_constants_.biases.push_back(
        bias.empty() ? 0 : integer_bias(bias[static_cast<size_t>(o)], input_scale, weight_scale));
  }
  row_constants_.zero_point = scheme.output.zero_point;
  row_constants_.qmin = scheme.output.qmin;
  row_constants_.qmax = scheme.output.qmax;
}

void StaticRequantizer::build_grouped(const QuantizedWeight& weight, const std::vector<float>& bias,
                                      const StaticScheme& scheme) {
  channels_ = weight.rows();
  group_multipliers_.resize(static_cast<size_t>(groups_ * channels_));
  std::vector<double> reals(static_cast<size_t>(groups_));
  for (int64_t o = 0; o < channels_; ++o) {
    for (int64_t g = 0; g < groups_; ++g) {
      reals[static_cast<size_t>(g)] =
          output_multiplier(scheme.input.scale, weight.scale(o, g), scheme.output.scale);
    }
    const CommonShiftMultipliers row = common_shift_multipliers(reals);
    for (int64_t g = 0; g < groups_; ++g) {
      group_multiplier(o, g) = row.multipliers[static_cast<size_t>(g)];
    }
    channel_shifts_.push_back(row.shift);
    const double b = bias.empty() ? 0.0 : static_cast<double>(bias[static_cast<size_t>(o)]);
    scaled_biases_.push_back(scaled_constant(b / scheme.output.scale, row.shift));
  }
}

int8_t StaticRequantizer::requantize_single(int64_t channel, int32_t acc) const {
  return requantize_channel(row_constants_, channel, acc);
}

void StaticRequantizer::requantize_columns(const int32_t* acc, int64_t pixels, int8_t* out) const {
  slim::requantize_columns(row_constants_, acc, pixels, out);
}

void StaticRequantizer::requantize_row(const int32_t* acc, int8_t* out) const {
  slim::requantize_row(row_constants_, acc, out);
}

int8_t StaticRequantizer::requantize_grouped(int64_t channel, const int32_t* group_accs,
                                             int64_t group_stride) const {
  // |m_g * acc_g| < 2^31 * L_g * 2^16, so with K <= 2^15 (quantized_gemm.h) the sum and
  // the clamped bias stay inside int64.
  int64_t total = scaled_biases_[static_cast<size_t>(channel)];
  for (int64_t g = 0; g < groups_; ++g) {
    total += group_multiplier(channel, g) * static_cast<int64_t>(group_accs[g * group_stride]);
  }
  const int64_t scaled =
      rounding_divide_by_pot_int64(total, channel_shifts_[static_cast<size_t>(channel)]);
  return clamp_to_output(static_cast<int64_t>(output_.zero_point) + scaled);
}

void StaticRequantizer::requantize_grouped_row_reference(const int32_t* acc, int64_t group_stride,
                                                         int8_t* out) const {
  for (int64_t o = 0; o < channels_; ++o) out[o] = requantize_grouped(o, acc + o, group_stride);
}

// requantize_grouped's steps in 64-bit lanes.
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))) void
StaticRequantizer::requantize_grouped_row_avx512(const int32_t* acc, int64_t group_stride,
                                                 int8_t* out) const {
  const __m512i zero_point = _mm512_set1_epi64(output_.zero_point);
  const __m512i qmin = _mm512_set1_epi64(output_.qmin);
  const __m512i qmax = _mm512_set1_epi64(output_.qmax);
  for (int64_t o = 0; o < channels_; o += 8) {
    const auto lanes =
        static_cast<__mmask8>(channels_ - o >= 8 ? 0xFF : (1u << (channels_ - o)) - 1);
    __m512i total = _mm512_maskz_loadu_epi64(lanes, scaled_biases_.data() + o);
    for (int64_t g = 0; g < groups_; ++g) {
      const __m512i accs =
          _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(lanes, acc + g * group_stride + o));
      const __m512i multipliers =
          _mm512_maskz_loadu_epi64(lanes, group_multipliers_.data() + g * channels_ + o);
      total = _mm512_add_epi64(total, _mm512_mullo_epi64(multipliers, accs));
    }
    const __m512i shift =
        _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(lanes, channel_shifts_.data() + o));
    const __m512i codes = divide_by_pot_to_codes(total, shift, zero_point, qmin, qmax);
    _mm_mask_storeu_epi8(out + o, lanes, _mm512_cvtepi64_epi8(codes));
  }
}

void StaticRequantizer::requantize_grouped_row(const int32_t* acc, int64_t group_stride,
                                               int8_t* out) const {
  static const bool avx512 = avx512_unavailable_reason().empty();
  if (avx512) {
    requantize_grouped_row_avx512(acc, group_stride, out);
  } else {
    requantize_grouped_row_reference(acc, group_stride, out);
  }
}

GroupedRequantization StaticRequantizer::grouped_constants() const {
  GroupedRequantization constants{
      groups_, {}, channel_shifts_, scaled_biases_, output_.zero_point, output_.qmin, output_.qmax};
  constants.multipliers.reserve(group_multipliers_.size());
  for (int64_t o = 0; o < channels_; ++o) {
    for (int64_t g = 0; g < groups_; ++g) constants.multipliers.push_back(group_multiplier(o, g));
  }
  return constants;
}

StaticRequantizer StaticRequantizer::with_input_zero_point_folded(
    int32_t input_zero_point, const std::vector<int32_t>& weight_sums) const {
  if (groups_ < 2 || weight_sums.size() != static_cast<size_t>(groups_ * channels_)) {
    throw std::logic_error("requantizer: weight sums do not match the groups");
  }
  StaticRequantizer folded = *this;
  for (int64_t o = 0; o < channels_; ++o) {
    int64_t term = 0;
    for (int64_t g = 0; g < groups_; ++g) {
      term += group_multiplier(o, g) * weight_sums[static_cast<size_t>(g * channels_ + o)];
    }
    folded.scaled_biases_[static_cast<size_t>(o)] -= int64_t{input_zero_point} * term;
  }
  return folded;
}

int8_t StaticRequantizer::clamp_to_output(int64_t code) const {
  return static_cast<int8_t>(std::clamp<int64_t>(code, output_.qmin, output_.qmax));
}

}  // namespace slim
