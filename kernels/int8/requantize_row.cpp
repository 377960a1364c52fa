#include "kernels/int8/requantize_row.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "kernels/int8/cpu_features.h"
#include "kernels/int8/fixed_point.h"
#include "kernels/int8/requantize_avx512.h"

namespace slim {
namespace {

// Four channels in 64-bit lanes. AVX2 has neither a 64-bit multiply nor an arithmetic
// 64-bit shift, so the sign is taken off first: round half away from zero is symmetric,
// round(x) = sign(x) * floor((|x| * m + 2^(e-1)) / 2^e), and |x| * m is formed from the
// 32-bit halves of |x| (< 2^33) with the unsigned 32 x 32 -> 64 multiply.
__attribute__((target("avx2"))) __m256i requantize_four(__m256i sum, __m256i multiplier,
                                                        __m256i exponent) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i negative = _mm256_cmpgt_epi64(zero, sum);
  const __m256i magnitude = _mm256_sub_epi64(_mm256_xor_si256(sum, negative), negative);
  const __m256i low = _mm256_mul_epu32(magnitude, multiplier);
  const __m256i high = _mm256_mul_epu32(_mm256_srli_epi64(magnitude, 32), multiplier);
  const __m256i product = _mm256_add_epi64(low, _mm256_slli_epi64(high, 32));
  const __m256i half = _mm256_srli_epi64(_mm256_sllv_epi64(_mm256_set1_epi64x(1), exponent), 1);
  const __m256i rounded = _mm256_srlv_epi64(_mm256_add_epi64(product, half), exponent);
  return _mm256_sub_epi64(_mm256_xor_si256(rounded, negative), negative);
}

// Four int32 values widened to 64-bit lanes. A named function rather than a lambda: a
// lambda does not inherit its caller's target attribute, so builds without -march=native
// would not compile it.
__attribute__((target("avx2"))) __m256i load4(const int32_t* p) {
  return _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
__attribute__((target("avx2"))) __m256i load4(const int64_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

}  // namespace

bool narrow_requantization_applies(const std::vector<int64_t>& biases,
                                   const std::vector<int32_t>& exponents, int64_t depth) {
  constexpr int64_t kLimit = int64_t{1} << 31;
  constexpr int64_t kLargestProduct = 255 * 255;
  if (depth < 0 || depth > kLimit / kLargestProduct) return false;
  // Reductions without early exits, which the compiler vectorizes: the GEMMs decide per
  // call, and a scalar scan of 784 columns took 15% of resnet-8's stem as a GEMM.
  uint64_t largest_bias = 0;
  for (const int64_t b : biases) {
    const auto magnitude =
        b < 0 ? uint64_t{0} - static_cast<uint64_t>(b) : static_cast<uint64_t>(b);
    largest_bias = std::max(largest_bias, magnitude);
  }
  int32_t lowest = 32, highest = 62;
  for (const int32_t e : exponents) {
    lowest = std::min(lowest, e);
    highest = std::max(highest, e);
  }
  return largest_bias <= static_cast<uint64_t>(kLimit - 1 - depth * kLargestProduct) &&
         lowest >= 32 && highest <= 62;
}

bool narrow_requantization_applies(const RowRequantization& r, int64_t depth) {
  return narrow_requantization_applies(r.biases, r.exponents, depth);
}

int8_t requantize_channel(const RowRequantization& r, int64_t o, int32_t acc) {
  const auto c = static_cast<size_t>(o);
  // |acc + bias| < 2^32 and m < 2^31, so the product fits int64 (requantize_row.h).
  const int64_t product = (static_cast<int64_t>(acc) + r.biases[c]) * r.multipliers[c];
  const int64_t scaled = rounding_divide_by_pot_int64_unchecked(product, r.exponents[c]);
  return static_cast<int8_t>(std::clamp<int64_t>(r.zero_point + scaled, r.qmin, r.qmax));
}

void requantize_row_reference(const RowRequantization& r, const int32_t* acc, int8_t* out) {
  for (int64_t o = 0; o < r.channels(); ++o) out[o] = requantize_channel(r, o, acc[o]);
}

__attribute__((target("avx2"))) void requantize_row_avx2(const RowRequantization& r,
                                                         const int32_t* acc, int8_t* out) {
  const int64_t channels = r.channels();
  const __m256i zero_point = _mm256_set1_epi64x(r.zero_point);
  const __m256i qmin = _mm256_set1_epi64x(r.qmin);
  const __m256i qmax = _mm256_set1_epi64x(r.qmax);
  // Byte 0 of each 64-bit lane to bytes 0-1 of each 128-bit half.
  const __m256i low_bytes =
      _mm256_setr_epi8(0, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 8, -1, -1,
                       -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  int64_t o = 0;
  for (; o + 4 <= channels; o += 4) {
    const __m256i sum = _mm256_add_epi64(load4(acc + o), load4(r.biases.data() + o));
    const __m256i scaled =
        requantize_four(sum, load4(r.multipliers.data() + o), load4(r.exponents.data() + o));
    __m256i code = _mm256_add_epi64(scaled, zero_point);
    code = _mm256_blendv_epi8(code, qmax, _mm256_cmpgt_epi64(code, qmax));
    code = _mm256_blendv_epi8(code, qmin, _mm256_cmpgt_epi64(qmin, code));
    const __m256i bytes = _mm256_shuffle_epi8(code, low_bytes);
    const auto first = static_cast<uint16_t>(_mm256_extract_epi16(bytes, 0));
    const auto second = static_cast<uint16_t>(_mm256_extract_epi16(bytes, 8));
    std::copy_n(reinterpret_cast<const int8_t*>(&first), 2, out + o);
    std::copy_n(reinterpret_cast<const int8_t*>(&second), 2, out + o + 2);
  }
  for (; o < channels; ++o) out[o] = requantize_channel(r, o, acc[o]);
}

namespace {

// Eight int32 values (fewer under `lanes`, the rest zero) widened to 64-bit lanes.
__attribute__((target("avx512f,avx512vl"))) __m512i load8(__mmask8 lanes, const int32_t* p) {
  return _mm512_cvtepi32_epi64(_mm256_maskz_loadu_epi32(lanes, p));
}
__attribute__((target("avx512f"))) __m512i load8(__mmask8 lanes, const int64_t* p) {
  return _mm512_maskz_loadu_epi64(lanes, p);
}

// Channels [first, first + count): eight per step, the last step masked, so the short
// rows of convolutions (20 or 50 channels in lenet-5) need no scalar tail.
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))) void requantize_range_avx512(
    const RowRequantization& r, int64_t first, int64_t count, const int32_t* acc, int8_t* out) {
  const __m512i one = _mm512_set1_epi64(1);
  const __m512i zero_point = _mm512_set1_epi64(r.zero_point);
  const __m512i qmin = _mm512_set1_epi64(r.qmin);
  const __m512i qmax = _mm512_set1_epi64(r.qmax);
  for (int64_t j = 0; j < count; j += 8) {
    const int64_t left = count - j;
    const auto lanes = static_cast<__mmask8>(left >= 8 ? 0xFF : (1u << left) - 1);
    const int64_t o = first + j;
    const __m512i sum = _mm512_add_epi64(load8(lanes, acc + j), load8(lanes, r.biases.data() + o));
    const __m512i exponent = load8(lanes, r.exponents.data() + o);
    const __m512i half = _mm512_srli_epi64(_mm512_sllv_epi64(one, exponent), 1);
    const __m512i code = requantize_eight(sum, load8(lanes, r.multipliers.data() + o), exponent,
                                          half, zero_point, qmin, qmax);
    _mm512_mask_cvtepi64_storeu_epi8(out + j, lanes, code);
  }
}

}  // namespace

void requantize_row_avx512(const RowRequantization& r, const int32_t* acc, int8_t* out) {
  requantize_range_avx512(r, 0, r.channels(), acc, out);
}

void requantize_row_range(const RowRequantization& r, int64_t first, int64_t count,
                          const int32_t* acc, int8_t* out) {
  static const bool avx512 = avx512_unavailable_reason().empty();
  if (avx512) {
    requantize_range_avx512(r, first, count, acc, out);
    return;
  }
  for (int64_t j = 0; j < count; ++j) out[j] = requantize_channel(r, first + j, acc[j]);
}

void requantize_row(const RowRequantization& r, const int32_t* acc, int8_t* out) {
  static const bool avx512 = avx512_unavailable_reason().empty();
  static const bool avx2 = avx2_unavailable_reason().empty();
  if (avx512) {
    requantize_row_avx512(r, acc, out);
  } else if (avx2) {
    requantize_row_avx2(r, acc, out);
  } else {
    requantize_row_reference(r, acc, out);
  }
}

void requantize_columns_reference(const RowRequantization& r, const int32_t* acc, int64_t pixels,
                                  int8_t* out) {
  const int64_t channels = r.channels();
  for (int64_t p = 0; p < pixels; ++p) {
    for (int64_t o = 0; o < channels; ++o) {
      out[o * pixels + p] = requantize_channel(r, o, acc[p * channels + o]);
    }
  }
}

__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))) void requantize_columns_avx512(
    const RowRequantization& r, const int32_t* acc, int64_t pixels, int8_t* out) {
  const int64_t channels = r.channels();
  // Lane i reads pixel p0 + i of the channel: element i * channels from the block's start.
  const __m512i lanes =
      _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                         _mm512_set1_epi32(static_cast<int32_t>(channels)));
  const __m512i zero_point = _mm512_set1_epi64(r.zero_point);
  const __m512i qmin = _mm512_set1_epi64(r.qmin);
  const __m512i qmax = _mm512_set1_epi64(r.qmax);
  for (int64_t o = 0; o < channels; ++o) {
    const auto c = static_cast<size_t>(o);
    const ChannelRequantization512 constants =
        broadcast_channel_requantization(r.biases[c], r.multipliers[c], r.exponents[c]);
    int8_t* plane = out + o * pixels;
    for (int64_t p0 = 0; p0 < pixels; p0 += 16) {
      const int64_t left = pixels - p0;
      const auto mask = static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1u << left) - 1);
      const __m512i column = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), mask, lanes,
                                                         acc + p0 * channels + o, 4);
      _mm_mask_storeu_epi8(plane + p0, mask,
                           requantize_sixteen(column, constants, zero_point, qmin, qmax));
    }
  }
}

void requantize_columns(const RowRequantization& r, const int32_t* acc, int64_t pixels,
                        int8_t* out) {
  static const bool avx512 = avx512_unavailable_reason().empty();
  if (avx512) {
    requantize_columns_avx512(r, acc, pixels, out);
    return;
  }
  // Row by row through the best row variant (AVX2 where there is one), then across the
  // planes.
  const int64_t channels = r.channels();
  thread_local std::vector<int8_t> codes;
  codes.resize(static_cast<size_t>(channels));
  for (int64_t p = 0; p < pixels; ++p) {
    requantize_row(r, acc + p * channels, codes.data());
    for (int64_t o = 0; o < channels; ++o) out[o * pixels + p] = codes[static_cast<size_t>(o)];
  }
}

}  // namespace slim
