// The AVX-512 steps of static requantization (requantize_row.h's arithmetic), shared by
// the row and column variants and by the fused output stages of the direct convolution
// (conv2d_s8_vnni.h) and the VNNI GEMM (gemm_s8_avx512_vnni.cpp). Inline with their own target
// attributes, so they inline into any caller compiled for at least AVX-512 F/DQ/BW/VL.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace slim {

// One channel's constants broadcast to eight 64-bit lanes.
struct ChannelRequantization512 {
  __m512i bias, multiplier, exponent, half;
};

__attribute__((target("avx512f"))) inline ChannelRequantization512 broadcast_channel_requantization(
    int64_t bias, int32_t multiplier, int32_t exponent) {
  return {_mm512_set1_epi64(bias), _mm512_set1_epi64(multiplier), _mm512_set1_epi64(exponent),
          _mm512_set1_epi64((int64_t{1} << exponent) >> 1)};
}

// Eight sums (accumulator + bias) to codes in 64-bit lanes, with per-lane constants.
// AVX-512 has what AVX2 lacks (a 64-bit multiply, 64-bit absolute value, masked negation
// and min/max), so this follows the reference's steps directly: |sum| < 2^32 and
// m < 2^31, so the product fits int64 (requantize.h); half away from zero rounds the
// magnitude, then gives the sign back. half = 2^(e-1) (0 for e = 0).
__attribute__((target("avx512f,avx512dq"))) inline __m512i requantize_eight(
    __m512i sum, __m512i multiplier, __m512i exponent, __m512i half, __m512i zero_point,
    __m512i qmin, __m512i qmax) {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i product = _mm512_mullo_epi64(sum, multiplier);
  const __mmask8 negative = _mm512_cmplt_epi64_mask(product, zero);
  const __m512i rounded =
      _mm512_srlv_epi64(_mm512_add_epi64(_mm512_abs_epi64(product), half), exponent);
  const __m512i scaled = _mm512_mask_sub_epi64(rounded, negative, zero, rounded);
  return _mm512_min_epi64(_mm512_max_epi64(_mm512_add_epi64(scaled, zero_point), qmin), qmax);
}

// Sixteen int32 accumulators to sixteen codes, in order: each half widened to 64 bits, its
// constants' bias added there (it may not fit 32 bits beside the accumulator), then
// requantize_eight. `low` holds the constants of elements 0-7, `high` of 8-15.
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))) inline __m128i requantize_sixteen(
    __m512i acc, const ChannelRequantization512& low, const ChannelRequantization512& high,
    __m512i zero_point, __m512i qmin, __m512i qmax) {
  const __m512i low_sums =
      _mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(acc)), low.bias);
  const __m512i high_sums =
      _mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(acc, 1)), high.bias);
  const __m128i low_codes = _mm512_cvtepi64_epi8(
      requantize_eight(low_sums, low.multiplier, low.exponent, low.half, zero_point, qmin, qmax));
  const __m128i high_codes = _mm512_cvtepi64_epi8(requantize_eight(
      high_sums, high.multiplier, high.exponent, high.half, zero_point, qmin, qmax));
  return _mm_unpacklo_epi64(low_codes, high_codes);
}

// Sixteen accumulators of one channel (pixels of a convolution's plane).
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))) inline __m128i requantize_sixteen(
    __m512i acc, const ChannelRequantization512& c, __m512i zero_point, __m512i qmin,
    __m512i qmax) {
  return requantize_sixteen(acc, c, c, zero_point, qmin, qmax);
}

// The same output stage in 32-bit lanes, for constants that requantize_row.h's
// narrow_requantization_applies() accepts: every |acc + bias| < 2^31 and every exponent in
// [32, 62]. Then the sum is one 32-bit addition, vpmuldq forms the products of the even
// and the odd lanes (each < 2^62 in magnitude) without widening, and the rounded results
// (< 2^30) come back together as sixteen int32 for one clamp and one narrowing: about 17
// operations per 16 codes against 26, with no 64-bit multiply (3 uops on Intel cores).
// Short-K layers (resnet-8's stem: 3 vpdpbusd per 16 outputs) spend most of their time
// here. The constants of element 2i are in 64-bit lane i of the `even` vectors, of 2i + 1
// in lane i of the `odd` ones; vpmuldq reads only each lane's low dword.
struct NarrowRequantization512 {
  __m512i bias;  // sixteen int32
  __m512i multiplier_even, multiplier_odd;
  __m512i exponent_even, exponent_odd;  // 64-bit shift counts
  __m512i half_even, half_odd;          // 2^(e-1)
};

// One channel's constants for sixteen lanes (pixels of one plane).
__attribute__((target("avx512f"))) inline NarrowRequantization512 broadcast_narrow_requantization(
    int64_t bias, int32_t multiplier, int32_t exponent) {
  const __m512i m = _mm512_set1_epi32(multiplier);
  const __m512i e = _mm512_set1_epi64(exponent);
  const __m512i half = _mm512_set1_epi64((int64_t{1} << exponent) >> 1);
  return {_mm512_set1_epi32(static_cast<int32_t>(bias)), m, m, e, e, half, half};
}

// Sixteen consecutive channels' constants, one per lane; lanes outside `lanes` are zero
// (their codes are computed, harmlessly, and not stored).
__attribute__((target("avx512f,avx512vl"))) inline NarrowRequantization512
load_narrow_requantization(const int64_t* biases, const int32_t* multipliers,
                           const int32_t* exponents, __mmask16 lanes) {
  const auto low = static_cast<__mmask8>(lanes), high = static_cast<__mmask8>(lanes >> 8);
  const __m256i bias_low = _mm512_cvtepi64_epi32(_mm512_maskz_loadu_epi64(low, biases));
  const __m256i bias_high = _mm512_cvtepi64_epi32(_mm512_maskz_loadu_epi64(high, biases + 8));
  const __m512i m = _mm512_maskz_loadu_epi32(lanes, multipliers);
  const __m512i e = _mm512_maskz_loadu_epi32(lanes, exponents);
  const __m512i e_even = _mm512_and_si512(e, _mm512_set1_epi64(0xFFFFFFFF));
  const __m512i e_odd = _mm512_srli_epi64(e, 32);
  const __m512i one = _mm512_set1_epi64(1);
  return {_mm512_inserti64x4(_mm512_castsi256_si512(bias_low), bias_high, 1),
          m,
          _mm512_srli_epi64(m, 32),
          e_even,
          e_odd,
          _mm512_srli_epi64(_mm512_sllv_epi64(one, e_even), 1),
          _mm512_srli_epi64(_mm512_sllv_epi64(one, e_odd), 1)};
}

// round(P / 2^e), half away from zero, for e >= 1: (P + 2^(e-1) - [P < 0]) >> e with an
// arithmetic shift. For P >= 0 that is floor((P + 2^(e-1)) / 2^e); for P < 0 it is
// floor((P + 2^(e-1) - 1) / 2^e) = -floor((|P| + 2^(e-1)) / 2^e).
__attribute__((target("avx512f"))) inline __m512i divide_by_pot_away_from_zero(__m512i product,
                                                                               __m512i half,
                                                                               __m512i exponent) {
  const __m512i toward =
      _mm512_add_epi64(_mm512_add_epi64(product, half), _mm512_srai_epi64(product, 63));
  return _mm512_srav_epi64(toward, exponent);
}

// Sixteen int32 accumulators to sixteen codes, in order (see NarrowRequantization512);
// zero_point, qmin and qmax as sixteen int32.
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __m128i requantize_sixteen_narrow(
    __m512i acc, const NarrowRequantization512& c, __m512i zero_point, __m512i qmin, __m512i qmax) {
  const __m512i sum = _mm512_add_epi32(acc, c.bias);
  const __m512i even = divide_by_pot_away_from_zero(_mm512_mul_epi32(sum, c.multiplier_even),
                                                    c.half_even, c.exponent_even);
  const __m512i odd = divide_by_pot_away_from_zero(
      _mm512_mul_epi32(_mm512_srli_epi64(sum, 32), c.multiplier_odd), c.half_odd, c.exponent_odd);
  // Each result is its lane's low dword; the odd ones move up into the high dwords.
  const __m512i scaled = _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CCAA);
  const __m512i codes =
      _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(scaled, zero_point), qmin), qmax);
  return _mm512_cvtepi32_epi8(codes);
}

// Eight int64 sums T to codes: clamp(Z + round(T / 2^shift), qmin, qmax), the division
// rounding half away from zero exactly as rounding_divide_by_pot_int64 (fixed_point.h):
// (T >> s) + (remainder > threshold), threshold = (2^s - 1) / 2, plus 1 for negative T.
// `shift` per lane in [0, 62]. The output stage of sums of several rescaled integers
// (per-group weights, qadd: common_shift.h).
__attribute__((target("avx512f"))) inline __m512i divide_by_pot_to_codes(
    __m512i total, __m512i shift, __m512i zero_point, __m512i qmin, __m512i qmax) {
  const __m512i one = _mm512_set1_epi64(1);
  const __m512i remainder_bits = _mm512_sub_epi64(_mm512_sllv_epi64(one, shift), one);
  const __m512i half = _mm512_srli_epi64(remainder_bits, 1);
  const __mmask8 negative = _mm512_cmplt_epi64_mask(total, _mm512_setzero_si512());
  const __m512i threshold = _mm512_mask_add_epi64(half, negative, half, one);
  const __mmask8 round_up =
      _mm512_cmpgt_epi64_mask(_mm512_and_si512(total, remainder_bits), threshold);
  __m512i scaled = _mm512_srav_epi64(total, shift);
  scaled = _mm512_add_epi64(_mm512_mask_add_epi64(scaled, round_up, scaled, one), zero_point);
  return _mm512_min_epi64(_mm512_max_epi64(scaled, qmin), qmax);
}

// The constants of eight consecutive channels, one per lane; lanes outside `lanes` are
// zero (exponent 0: their codes are computed, harmlessly, and not stored).
__attribute__((target("avx512f,avx512vl"))) inline ChannelRequantization512
load_channel_requantization(const int64_t* biases, const int32_t* multipliers,
                            const int32_t* exponents, __mmask8 lanes) {
  const __m512i exponent = _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(lanes, exponents));
  return {_mm512_maskz_loadu_epi64(lanes, biases),
          _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(lanes, multipliers)), exponent,
          _mm512_srli_epi64(_mm512_sllv_epi64(_mm512_set1_epi64(1), exponent), 1)};
}

}  // namespace slim
