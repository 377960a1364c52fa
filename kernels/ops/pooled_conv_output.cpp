#include "kernels/ops/pooled_conv_output.h"

#include <immintrin.h>

#include <algorithm>

#include "kernels/int8/cpu_features.h"

namespace slim {
namespace {

// The unfused scatter's sum and ReLU's expression, element by element.
float biased(float x, const PooledPlane& p) {
  const float v = x + p.bias;
  return p.relu && v < 0.0f ? 0.0f : v;
}

}  // namespace

void bias_relu_max_pool_2x2_reference(const PooledPlane& p) {
  const int64_t out_h = p.height / 2, out_w = p.width / 2;
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const float* top = p.plane + 2 * oh * p.width;
    const float* bottom = top + p.width;
    for (int64_t ow = 0; ow < out_w; ++ow) {
      float best = biased(top[2 * ow], p);
      for (const float x : {top[2 * ow + 1], bottom[2 * ow], bottom[2 * ow + 1]}) {
        const float v = biased(x, p);
        best = v > best ? v : best;
      }
      p.out[oh * out_w + ow] = best;
    }
  }
}

namespace {

// Sixteen floats from `count` (1..16) at `x`, biased and through the ReLU; lanes past
// `count` are computed from zeros and never stored.
template <bool Relu>
__attribute__((target("avx512f"), always_inline)) inline __m512 biased_lanes(const float* x,
                                                                             int64_t count,
                                                                             __m512 bias) {
  const auto lanes = static_cast<__mmask16>((1u << count) - 1u);
  __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(lanes, x), bias);
  if constexpr (Relu) {
    const __m512 zero = _mm512_setzero_ps();
    v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ), zero);
  }
  return v;
}

// Up to 16 windows of one row pair: each row's 32 inputs split into even and odd columns
// (vpermt2ps), then MaxPool2d's chain. _mm512_max_ps(a, b) is vmaxps, a > b ? a : b
// (b on ties, zeros of either sign and NaN), which is the chain's step with a = v.
template <bool Relu>
__attribute__((target("avx512f"))) void pool_rows(const PooledPlane& p) {
  const int64_t out_h = p.height / 2, out_w = p.width / 2;
  const __m512 bias = _mm512_set1_ps(p.bias);
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const float* top = p.plane + 2 * oh * p.width;
    const float* bottom = top + p.width;
    for (int64_t ow = 0; ow < out_w; ow += 16) {
      const int64_t windows = std::min<int64_t>(16, out_w - ow);
      // A row's inputs: the first 16 in the low vectors, the rest (if any) in the high.
      const int64_t low = std::min<int64_t>(2 * windows, 16), high = 2 * windows - low;
      const float* t = top + 2 * ow;
      const float* b = bottom + 2 * ow;
      const __m512 t_low = biased_lanes<Relu>(t, low, bias);
      const __m512 b_low = biased_lanes<Relu>(b, low, bias);
      __m512 t_high = t_low, b_high = b_low;  // unused lanes when high == 0
      if (high > 0) {
        t_high = biased_lanes<Relu>(t + 16, high, bias);
        b_high = biased_lanes<Relu>(b + 16, high, bias);
      }
      __m512 best = _mm512_permutex2var_ps(t_low, even, t_high);
      best = _mm512_max_ps(_mm512_permutex2var_ps(t_low, odd, t_high), best);
      best = _mm512_max_ps(_mm512_permutex2var_ps(b_low, even, b_high), best);
      best = _mm512_max_ps(_mm512_permutex2var_ps(b_low, odd, b_high), best);
      _mm512_mask_storeu_ps(p.out + oh * out_w + ow, static_cast<__mmask16>((1u << windows) - 1u),
                            best);
    }
  }
}

// The AVX2 form of the same: 8 floats per vector, masked with vmaskmovps, and the even
// and odd columns split with vshufps (within 128-bit lanes) and vpermpd (across them).
// The vmaskmovps mask of the first `count` (0..8) lanes.
__attribute__((target("avx2"), always_inline)) inline __m256i first_lanes8(int64_t count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

template <bool Relu>
__attribute__((target("avx2"), always_inline)) inline __m256 biased_lanes8(const float* x,
                                                                           int64_t count,
                                                                           __m256 bias) {
  __m256 v = _mm256_add_ps(_mm256_maskload_ps(x, first_lanes8(count)), bias);
  if constexpr (Relu) {
    const __m256 zero = _mm256_setzero_ps();
    v = _mm256_blendv_ps(v, zero, _mm256_cmp_ps(v, zero, _CMP_LT_OQ));
  }
  return v;
}

// Columns 0, 2, .., 14 (Odd = false) or 1, 3, .., 15 of the 16 floats low:high.
template <bool Odd>
__attribute__((target("avx2"), always_inline)) inline __m256 columns8(__m256 low, __m256 high) {
  constexpr int kPick = Odd ? _MM_SHUFFLE(3, 1, 3, 1) : _MM_SHUFFLE(2, 0, 2, 0);
  const __m256 lane_wise = _mm256_shuffle_ps(low, high, kPick);  // l0 l2 h0 h2 | l4 l6 h4 h6
  return _mm256_castpd_ps(
      _mm256_permute4x64_pd(_mm256_castps_pd(lane_wise), _MM_SHUFFLE(3, 1, 2, 0)));
}

template <bool Relu>
__attribute__((target("avx2"))) void pool_rows_avx2(const PooledPlane& p) {
  const int64_t out_h = p.height / 2, out_w = p.width / 2;
  const __m256 bias = _mm256_set1_ps(p.bias);
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const float* top = p.plane + 2 * oh * p.width;
    const float* bottom = top + p.width;
    for (int64_t ow = 0; ow < out_w; ow += 8) {
      const int64_t windows = std::min<int64_t>(8, out_w - ow);
      const int64_t low = std::min<int64_t>(2 * windows, 8), high = 2 * windows - low;
      const float* t = top + 2 * ow;
      const float* b = bottom + 2 * ow;
      const __m256 t_low = biased_lanes8<Relu>(t, low, bias);
      const __m256 b_low = biased_lanes8<Relu>(b, low, bias);
      __m256 t_high = t_low, b_high = b_low;  // unused lanes when high == 0
      if (high > 0) {
        t_high = biased_lanes8<Relu>(t + 8, high, bias);
        b_high = biased_lanes8<Relu>(b + 8, high, bias);
      }
      __m256 best = columns8<false>(t_low, t_high);
      best = _mm256_max_ps(columns8<true>(t_low, t_high), best);
      best = _mm256_max_ps(columns8<false>(b_low, b_high), best);
      best = _mm256_max_ps(columns8<true>(b_low, b_high), best);
      _mm256_maskstore_ps(p.out + oh * out_w + ow, first_lanes8(windows), best);
    }
  }
}

}  // namespace

void bias_relu_max_pool_2x2_avx512(const PooledPlane& p) {
  return p.relu ? pool_rows<true>(p) : pool_rows<false>(p);
}

void bias_relu_max_pool_2x2_avx2(const PooledPlane& p) {
  return p.relu ? pool_rows_avx2<true>(p) : pool_rows_avx2<false>(p);
}

void bias_relu_max_pool_2x2(const PooledPlane& p) {
  static const auto variant = avx512_unavailable_reason().empty() ? bias_relu_max_pool_2x2_avx512
                              : avx2_unavailable_reason().empty()
                                  ? bias_relu_max_pool_2x2_avx2
                                  : bias_relu_max_pool_2x2_reference;
  return variant(p);
}

}  // namespace slim
