#include "kernels/int8/conv2d_s8_vnni.h"

#include <fmt/format.h>
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include "core/parallel_for.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/requantize_avx512.h"

// GCC 12's AVX-512 intrinsics start some results from _mm512_undefined_epi32(), a
// deliberate self-initialisation that -Wuninitialized reports inside every caller.
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace slim {
namespace {

constexpr int kMinTileChannels = 4;
constexpr int kMaxTileChannels = 6;
constexpr int kMaxTileVectors = 4;

// R in [4, 6] with the fewest padded channels, the larger on a tie (fewer weight loads
// per multiply-add): 20 channels take R = 5 (no padding), 50 take R = 5, 48 take R = 6.
int64_t choose_tile_channels(int64_t out_channels) {
  int64_t best = kMaxTileChannels;
  int64_t best_padded = (out_channels + best - 1) / best * best;
  for (int64_t r = kMaxTileChannels - 1; r >= kMinTileChannels; --r) {
    const int64_t padded = (out_channels + r - 1) / r * r;
    if (padded < best_padded) best = r, best_padded = padded;
  }
  return best;
}

// One register tile: `channels` (<= R) output channels of V consecutive pixel groups, or
// with the fused pool, of the four window positions of one group of pooled pixels.
struct TileJob {
  const uint8_t* packed;  // the first group's first quad
  int64_t group_stride;   // bytes from one group's quads to the next's
  int64_t quads;
  const int32_t* weights;  // the channel block's [quads][R]
  const int64_t* biases;   // the first channel's constants
  const int32_t* multipliers;
  const int32_t* exponents;
  int64_t channels;
  int64_t plane;        // pixels per output plane (pooled, with the fused pool)
  int64_t first_pixel;  // of the first group
  int8_t* out;          // the first channel's plane at first_pixel
  int32_t zero_point, qmin, qmax;
  bool narrow;  // one group per row: the 32-bit-lane output stage applies (requantize_row.h)
  // Asymmetric weights only: each pixel's sum of shifted codes (the tile's V vectors of
  // 16), and per channel Z_w and the int32 constant of the expansion (see the constructor).
  const int32_t* pixel_sums;
  const int32_t* weight_zero_points;
  const int32_t* expansion_constants;
  // Per-group weights only.
  int64_t weight_groups;
  int64_t group_quads;
  const int64_t* group_multipliers;  // the first channel's [G], then the next channel's
  const int32_t* shifts;             // the first channel's
};

// Sixteen codes of channel r at vector v of its plane (the lanes before the plane's end).
__attribute__((target("avx512f,avx512bw,avx512vl"), always_inline)) inline void store_codes(
    const TileJob& t, int r, int v, __m128i codes) {
  const int64_t left = t.plane - (t.first_pixel + v * kPixelsPerVector);
  const auto lanes = static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1u << left) - 1);
  _mm_mask_storeu_epi8(t.out + r * t.plane + v * kPixelsPerVector, lanes, codes);
}

// One channel's output stage, in 64-bit lanes (any constants) or in 32-bit lanes (where
// narrow_requantization_applies: TileJob::narrow).
struct WideChannelStage {
  ChannelRequantization512 constants;
  __m512i zero_point, qmin, qmax;  // 64-bit lanes
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"), always_inline)) __m128i operator()(
      __m512i acc) const {
    return requantize_sixteen(acc, constants, zero_point, qmin, qmax);
  }
};
struct NarrowChannelStage {
  NarrowRequantization512 constants;
  __m512i zero_point, qmin, qmax;  // 32-bit lanes
  __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"), always_inline)) __m128i operator()(
      __m512i acc) const {
    return requantize_sixteen_narrow(acc, constants, zero_point, qmin, qmax);
  }
};

// Channel r's V vectors of accumulators to codes in its plane, or with Pooled, the maximum
// of the window's four positions to one vector of codes.
template <int V, bool Pooled, typename Stage>
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl"), always_inline)) inline void
store_channel(const TileJob& t, int r, const __m512i (&acc)[V], const Stage& requantize) {
  if constexpr (Pooled) {
    static_assert(V == 4, "a pooled tile holds the four positions of a 2x2 window");
    const __m512i top = _mm512_max_epi32(acc[0], acc[1]);
    const __m512i bottom = _mm512_max_epi32(acc[2], acc[3]);
    store_codes(t, r, 0, requantize(_mm512_max_epi32(top, bottom)));
  } else {
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) store_codes(t, r, v, requantize(acc[v]));
  }
}

// The tile's products over all of K, into accumulators that start at zero.
template <int R, int V>
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline)) inline void accumulate_tile(
    const TileJob& t, __m512i (&acc)[R][V]) {
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[r][v] = _mm512_setzero_si512();
  }
  const uint8_t* x = t.packed;
  const int32_t* w = t.weights;
  for (int64_t q = 0; q < t.quads; ++q, x += kVectorBytes, w += R) {
    __m512i pixels[V];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) pixels[v] = _mm512_load_si512(x + v * t.group_stride);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512i weight = _mm512_set1_epi32(w[r]);
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], pixels[v], weight);
    }
  }
}

// The same in a function of its own, handing the sums over through memory (2 R V moves
// per tile, against R V vpdpbusd per quad). With the pooled epilogue inlined after the K
// loop, GCC 12 kept half of the 20-24 accumulators of R = 5 and 6 in stack slots, storing
// and reloading them on every quad (objdump of convolve_tile<5, 4, true>), and the pooled
// tile ran slower than the unpooled one; apart, the loop keeps all of them in registers.
// The unpooled tiles keep the loop inline: with every tile apart, resnet-8 ran 2-3% slower.
template <int R, int V>
__attribute__((target("avx512f,avx512bw,avx512vnni"), noinline)) void accumulate_tile_apart(
    const TileJob& t, __m512i (&sums)[R][V]) {
  __m512i acc[R][V];
  accumulate_tile<R, V>(t, acc);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) sums[r][v] = acc[r][v];
  }
}

// With Asymmetric, each accumulator first becomes sum_k (x_k - Z_x)(w_k - Z_w), in
// wrapping int32 arithmetic (exact: that sum fits int32, quantized_gemm.h), from the
// pixels' sums of codes; the K loop then runs apart, as for Pooled, so that the extra
// epilogue cannot push accumulators out of registers.
template <int R, int V, bool Pooled = false, bool Asymmetric = false>
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni"))) void convolve_tile(
    const TileJob& t) {
  __m512i acc[R][V];
  if constexpr (Pooled || Asymmetric) {
    accumulate_tile_apart<R, V>(t, acc);
  } else {
    accumulate_tile<R, V>(t, acc);
  }
  if constexpr (Asymmetric) {
    for (int r = 0; r < R; ++r) {
      const __m512i zero_point = _mm512_set1_epi32(t.weight_zero_points[r]);
      const __m512i constant = _mm512_set1_epi32(t.expansion_constants[r]);
      for (int v = 0; v < V; ++v) {
        const __m512i sums = _mm512_load_si512(t.pixel_sums + v * kPixelsPerVector);
        acc[r][v] = _mm512_add_epi32(
            _mm512_sub_epi32(acc[r][v], _mm512_mullo_epi32(zero_point, sums)), constant);
      }
    }
  }
  // Padding channels of the last block (r >= t.channels) are not stored.
  if (t.narrow) {
    const __m512i zero_point = _mm512_set1_epi32(t.zero_point);
    const __m512i qmin = _mm512_set1_epi32(t.qmin);
    const __m512i qmax = _mm512_set1_epi32(t.qmax);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      if (r >= t.channels) break;
      const NarrowChannelStage stage{
          broadcast_narrow_requantization(t.biases[r], t.multipliers[r], t.exponents[r]),
          zero_point, qmin, qmax};
      store_channel<V, Pooled>(t, r, acc[r], stage);
    }
    return;
  }
  const __m512i zero_point = _mm512_set1_epi64(t.zero_point);
  const __m512i qmin = _mm512_set1_epi64(t.qmin);
  const __m512i qmax = _mm512_set1_epi64(t.qmax);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    if (r >= t.channels) break;
    const WideChannelStage stage{
        broadcast_channel_requantization(t.biases[r], t.multipliers[r], t.exponents[r]), zero_point,
        qmin, qmax};
    store_channel<V, Pooled>(t, r, acc[r], stage);
  }
}

// Channel r's 16 totals (pixels 0, 2, ..., 14 in `even`, 1, 3, ..., 15 in `odd`) to codes
// at vector v of its plane, with the channel's shift.
__attribute__((target("avx512f,avx512bw,avx512vl"), always_inline)) inline void store_totals(
    const TileJob& t, int r, int v, __m512i even, __m512i odd, __m512i zero_point, __m512i qmin,
    __m512i qmax) {
  const __m512i shift = _mm512_set1_epi64(t.shifts[r]);
  store_codes(
      t, r, v,
      _mm_unpacklo_epi8(
          _mm512_cvtepi64_epi8(divide_by_pot_to_codes(even, shift, zero_point, qmin, qmax)),
          _mm512_cvtepi64_epi8(divide_by_pot_to_codes(odd, shift, zero_point, qmin, qmax))));
}

// A tile of per-group weights: the K loop once per group, each group's sums scaled by its
// multiplier into int64 totals, then one rounding per output (divide_by_pot_to_codes),
// after the window's maximum when Pooled. vpmuldq scales the even pixels' sums and, after
// a 32-bit shift, the odd ones', into two vectors of totals per vector of pixels: 5
// operations per 16 sums where widening the two halves and vpmullq took 7 (and vpmullq
// is 3 uops on Intel cores). m_g < 2^31, so its low dword is the whole multiplier.
template <int R, int V, bool Pooled>
__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni"))) void convolve_grouped_tile(
    const TileJob& t) {
  __m512i totals[R][V][2];
  for (int r = 0; r < R; ++r) {
    // Padding channels of the last block have no constants; their totals are not stored.
    const __m512i constant = _mm512_set1_epi64(r < t.channels ? t.biases[r] : 0);
    for (int v = 0; v < V; ++v) totals[r][v][0] = totals[r][v][1] = constant;
  }
  for (int64_t g = 0; g < t.weight_groups; ++g) {
    TileJob part = t;
    part.packed = t.packed + g * t.group_quads * kVectorBytes;
    part.weights = t.weights + g * t.group_quads * R;
    part.quads = std::min(t.group_quads, t.quads - g * t.group_quads);
    __m512i sums[R][V];
    accumulate_tile_apart<R, V>(part, sums);
    for (int r = 0; r < R; ++r) {
      const __m512i multiplier = _mm512_set1_epi64(t.group_multipliers[r * t.weight_groups + g]);
      for (int v = 0; v < V; ++v) {
        totals[r][v][0] =
            _mm512_add_epi64(totals[r][v][0], _mm512_mul_epi32(sums[r][v], multiplier));
        totals[r][v][1] = _mm512_add_epi64(
            totals[r][v][1], _mm512_mul_epi32(_mm512_srli_epi64(sums[r][v], 32), multiplier));
      }
    }
  }
  const __m512i zero_point = _mm512_set1_epi64(t.zero_point);
  const __m512i qmin = _mm512_set1_epi64(t.qmin);
  const __m512i qmax = _mm512_set1_epi64(t.qmax);
  for (int r = 0; r < R; ++r) {
    if (r >= t.channels) break;  // padding channels of the last block
    if constexpr (Pooled) {
      static_assert(V == 4, "a pooled tile holds the four positions of a 2x2 window");
      __m512i best[2];
      for (int half = 0; half < 2; ++half) {
        best[half] = _mm512_max_epi64(_mm512_max_epi64(totals[r][0][half], totals[r][1][half]),
                                      _mm512_max_epi64(totals[r][2][half], totals[r][3][half]));
      }
      store_totals(t, r, 0, best[0], best[1], zero_point, qmin, qmax);
    } else {
      for (int v = 0; v < V; ++v) {
        store_totals(t, r, v, totals[r][v][0], totals[r][v][1], zero_point, qmin, qmax);
      }
    }
  }
}

using TileFunction = void (*)(const TileJob&);

template <int R>
constexpr std::array<TileFunction, kMaxTileVectors> tiles_of_rows() {
  return {convolve_tile<R, 1>, convolve_tile<R, 2>, convolve_tile<R, 3>, convolve_tile<R, 4>};
}

// [R - 4][V - 1]
constexpr std::array<std::array<TileFunction, kMaxTileVectors>, 3> kTiles = {
    tiles_of_rows<4>(), tiles_of_rows<5>(), tiles_of_rows<6>()};
// [R - 4]
constexpr std::array<TileFunction, 3> kPooledTiles = {
    convolve_tile<4, 4, true>, convolve_tile<5, 4, true>, convolve_tile<6, 4, true>};

template <int R>
constexpr std::array<TileFunction, kMaxTileVectors> asymmetric_tiles_of_rows() {
  return {convolve_tile<R, 1, false, true>, convolve_tile<R, 2, false, true>,
          convolve_tile<R, 3, false, true>, convolve_tile<R, 4, false, true>};
}

// [R - 4][V - 1], and [R - 4] pooled.
constexpr std::array<std::array<TileFunction, kMaxTileVectors>, 3> kAsymmetricTiles = {
    asymmetric_tiles_of_rows<4>(), asymmetric_tiles_of_rows<5>(), asymmetric_tiles_of_rows<6>()};
constexpr std::array<TileFunction, 3> kPooledAsymmetricTiles = {convolve_tile<4, 4, true, true>,
                                                                convolve_tile<5, 4, true, true>,
                                                                convolve_tile<6, 4, true, true>};

// Each pixel's sum of its K shifted codes, sum_k (x_k + 128), for `vectors` groups of 16
// pixels: vpdpbusd against weights of 1 (0 past K in the last quad, where the packer
// repeats tap K - 1).
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void sum_pixels(
    const uint8_t* packed, int64_t group_stride, int64_t quads, const int32_t* ones,
    int64_t vectors, int32_t* sums) {
  for (int64_t v = 0; v < vectors; ++v) {
    __m512i sum = _mm512_setzero_si512();
    const uint8_t* x = packed + v * group_stride;
    for (int64_t q = 0; q < quads; ++q, x += kVectorBytes) {
      sum = _mm512_dpbusd_epi32(sum, _mm512_load_si512(x), _mm512_set1_epi32(ones[q]));
    }
    _mm512_store_si512(sums + v * kPixelsPerVector, sum);
  }
}

template <int R>
constexpr std::array<TileFunction, kMaxTileVectors> grouped_tiles_of_rows() {
  return {convolve_grouped_tile<R, 1, false>, convolve_grouped_tile<R, 2, false>,
          convolve_grouped_tile<R, 3, false>, convolve_grouped_tile<R, 4, false>};
}

// [R - 4][V - 1], and [R - 4] pooled.
constexpr std::array<std::array<TileFunction, kMaxTileVectors>, 3> kGroupedTiles = {
    grouped_tiles_of_rows<4>(), grouped_tiles_of_rows<5>(), grouped_tiles_of_rows<6>()};
constexpr std::array<TileFunction, 3> kPooledGroupedTiles = {convolve_grouped_tile<4, 4, true>,
                                                             convolve_grouped_tile<5, 4, true>,
                                                             convolve_grouped_tile<6, 4, true>};
static_assert(kMaxTileVectors == 4, "a pooled tile is one full tile of four vectors");

// Asks for `bytes` at `from` in L2, a line at a time. run() does it for the next image while
// it convolves this one: at batch 256 the packer's first reads of each image's input came
// from beyond L2 (the previous layer wrote the whole batch). resnet-8 int8 at batch 256
// ran about 4% faster with it: 57.9 against 60.5 us per image, the means of six runs of
// each binary alternated on Zen 5, whose spread (54-64 us) is wider than the gain. Batch 1
// has no next image.
void prefetch_to_l2(const int8_t* from, int64_t bytes) {
  for (int64_t b = 0; b < bytes; b += kVectorBytes) {
    _mm_prefetch(reinterpret_cast<const char*>(from + b), _MM_HINT_T1);
  }
}

bool same_image_geometry(const ConvGeometry& a, const ConvGeometry& b) {
  return a.channels == b.channels && a.height == b.height && a.width == b.width &&
         a.kernel_h == b.kernel_h && a.kernel_w == b.kernel_w && a.stride == b.stride &&
         a.padding == b.padding;
}

}  // namespace

std::string DirectConvS8Vnni::cpu_unavailable_reason() {
  if (std::string reason = avx512_unavailable_reason(); !reason.empty()) return reason;
  if (std::string reason = avx512_vnni_unavailable_reason(); !reason.empty()) return reason;
  if (!__builtin_cpu_supports("avx512vbmi")) {
    return "the CPU (or the OS) does not support AVX-512 VBMI (vpermi2b packs the pixels)";
  }
  return "";
}

std::string DirectConvS8Vnni::weight_unsupported_reason(const QuantizedWeight& weight) {
  if (weight.groups_per_row() != 1 && weight.group_size() % 4 != 0) {
    return fmt::format("groups of {} weights split vpdpbusd's quads of 4", weight.group_size());
  }
  if (!weight.symmetric() && weight.groups_per_row() != 1) {
    return "asymmetric per-group weights need each pixel's sum of codes per group";
  }
  return "";
}

DirectConvS8Vnni::DirectConvS8Vnni(const QuantizedWeight& weight, int32_t input_zero_point,
                                   bool pool_2x2)
    : out_channels_(weight.rows()),
      depth_(weight.cols()),
      quads_((weight.cols() + 3) / 4),
      tile_channels_(choose_tile_channels(weight.rows())),
      input_zero_point_(static_cast<int8_t>(input_zero_point)),
      pool_2x2_(pool_2x2),
      weight_groups_(weight.groups_per_row()),
      group_quads_(weight.group_size() / 4) {
  if (input_zero_point < -128 || input_zero_point > 127) {
    throw std::logic_error("direct int8 convolution: the input zero point is not an int8 code");
  }
}

DirectConvS8Vnni::DirectConvS8Vnni(const QuantizedWeight& weight,
                                   const RowRequantization& requantization,
                                   int32_t input_zero_point, bool pool_2x2)
    : DirectConvS8Vnni(weight, input_zero_point, pool_2x2) {
  requantization_ = requantization;
  if (weight.groups_per_row() != 1) {
    throw std::logic_error("direct int8 convolution: per-group weights need grouped constants");
  }
  if (requantization.channels() != out_channels_) {
    throw std::logic_error("direct int8 convolution: constants do not match the weights");
  }
  if (pool_2x2 && std::any_of(requantization.multipliers.begin(), requantization.multipliers.end(),
                              [](int32_t m) { return m < 0; })) {
    throw std::logic_error(
        "direct int8 convolution: pooling before requantizing needs non-negative multipliers");
  }
  const std::vector<int64_t> sums = pack_weights(weight);
  if (weight.symmetric()) {
    for (int64_t o = 0; o < out_channels_; ++o) {
      biases_.push_back(requantization.biases[static_cast<size_t>(o)] -
                        (128 + int64_t{input_zero_point}) * sums[static_cast<size_t>(o)]);
    }
    narrow_output_stage_ = narrow_requantization_applies(biases_, requantization.exponents, depth_);
    return;
  }
  // Asymmetric: with S(p) = sum_k (x_k + 128) for each pixel (sum_pixels),
  //   sum_k (x_k - Z_x)(w_k - Z_w) = raw - Z_w S(p) + [Z_w (128 + Z_x) K - (128 + Z_x) sum_k w_k],
  // the bracket one constant per channel. The tile applies it in wrapping int32 arithmetic,
  // exact because the left side fits int32, and the output stage adds the bias as usual.
  asymmetric_ = true;
  const int64_t padded = (out_channels_ + tile_channels_ - 1) / tile_channels_ * tile_channels_;
  weight_zero_points_.assign(static_cast<size_t>(padded), 0);
  expansion_constants_.assign(static_cast<size_t>(padded), 0);
  const int64_t shift = 128 + int64_t{input_zero_point};
  for (int64_t o = 0; o < out_channels_; ++o) {
    const int64_t z_w = weight.zero_point(o, 0);
    const int64_t constant = z_w * shift * depth_ - shift * sums[static_cast<size_t>(o)];
    weight_zero_points_[static_cast<size_t>(o)] = static_cast<int32_t>(z_w);
    expansion_constants_[static_cast<size_t>(o)] =
        static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(constant)));
    biases_.push_back(requantization.biases[static_cast<size_t>(o)]);
  }
  for (int64_t q = 0; q < quads_; ++q) {
    const int64_t taps = std::min<int64_t>(4, depth_ - 4 * q);
    ones_.push_back(static_cast<int32_t>(0x01010101u >> (8 * (4 - taps))));
  }
  narrow_output_stage_ = narrow_requantization_applies(biases_, requantization.exponents, depth_);
}

DirectConvS8Vnni::DirectConvS8Vnni(const QuantizedWeight& weight,
                                   const GroupedRequantization& requantization,
                                   int32_t input_zero_point, bool pool_2x2)
    : DirectConvS8Vnni(weight, input_zero_point, pool_2x2) {
  const auto channels = static_cast<size_t>(out_channels_);
  if (weight_groups_ < 2 || requantization.groups != weight_groups_ ||
      requantization.multipliers.size() != channels * static_cast<size_t>(weight_groups_) ||
      requantization.shifts.size() != channels || requantization.scaled_biases.size() != channels) {
    throw std::logic_error("direct int8 convolution: constants do not match the weights");
  }
  // common_shift_multipliers() makes every m_g non-negative, as the pool needs.
  requantization_.zero_point = requantization.zero_point;
  requantization_.qmin = requantization.qmin;
  requantization_.qmax = requantization.qmax;
  shifts_ = requantization.shifts;
  const std::vector<int64_t> sums = pack_weights(weight);
  const int64_t blocks = (out_channels_ + tile_channels_ - 1) / tile_channels_;
  group_multipliers_.assign(static_cast<size_t>(blocks * tile_channels_ * weight_groups_), 0);
  std::copy(requantization.multipliers.begin(), requantization.multipliers.end(),
            group_multipliers_.begin());
  for (int64_t o = 0; o < out_channels_; ++o) {
    int64_t correction = 0;
    for (int64_t g = 0; g < weight_groups_; ++g) {
      const auto index = static_cast<size_t>(o * weight_groups_ + g);
      correction += requantization.multipliers[index] * sums[index];
    }
    biases_.push_back(requantization.scaled_biases[static_cast<size_t>(o)] -
                      (128 + int64_t{input_zero_point}) * correction);
  }
}

std::vector<int64_t> DirectConvS8Vnni::pack_weights(const QuantizedWeight& weight) {
  if (const std::string reason = weight_unsupported_reason(weight); !reason.empty()) {
    throw std::logic_error("direct int8 convolution: " + reason);
  }
  const int64_t depth = depth_;
  const int64_t groups = weight.groups_per_row();
  const int64_t blocks = (out_channels_ + tile_channels_ - 1) / tile_channels_;
  weights_.assign(static_cast<size_t>(blocks * quads_ * tile_channels_), 0);
  std::vector<int64_t> sums(static_cast<size_t>(out_channels_ * groups), 0);
  const int8_t* codes = weight.codes().data();
  for (int64_t o = 0; o < out_channels_; ++o) {
    const int64_t block = o / tile_channels_, row = o % tile_channels_;
    for (int64_t q = 0; q < quads_; ++q) {
      std::array<int8_t, 4> quad{};
      for (int64_t j = 0; j < 4 && q * 4 + j < depth; ++j) quad[j] = codes[o * depth + q * 4 + j];
      // Groups hold whole quads (weight_unsupported_reason), so the quad's group is its
      // first code's.
      int64_t& sum = sums[static_cast<size_t>(o * groups + q * 4 / weight.group_size())];
      for (const int8_t code : quad) sum += code;
      std::memcpy(&weights_[static_cast<size_t>((block * quads_ + q) * tile_channels_ + row)],
                  quad.data(), 4);
    }
  }
  return sums;
}

PixelOrder DirectConvS8Vnni::pixel_order() const {
  return pool_2x2_ ? PixelOrder::kPoolWindows2x2 : PixelOrder::kRowMajor;
}

const PixelQuadPacker& DirectConvS8Vnni::packer_for(const ConvGeometry& g) {
  if (!packer_ || !same_image_geometry(packer_->geometry(), g)) {
    packer_ = std::make_unique<PixelQuadPacker>(g, pixel_order());
  }
  return *packer_;
}

std::string DirectConvS8Vnni::geometry_unsupported_reason(const ConvGeometry& g) {
  if (g.col_rows() != depth_) {
    return fmt::format("the input has {} taps per pixel, the weights {}", g.col_rows(), depth_);
  }
  if (pool_2x2_ && (g.out_height() < 2 || g.out_width() < 2)) {
    return fmt::format("a {} x {} output is too small for the fused 2x2 pool", g.out_height(),
                       g.out_width());
  }
  return packer_for(g).unsupported_reason();
}

// `pixels`: of one output plane (pooled, with the fused pool).
void DirectConvS8Vnni::convolve_image(const uint8_t* packed, int64_t pixels, int8_t* out) const {
  const int64_t vectors_of_pixels = (pixels + kPixelsPerVector - 1) / kPixelsPerVector;
  const int64_t groups = pool_2x2_ ? 4 * vectors_of_pixels : vectors_of_pixels;
  const int64_t group_stride = quads_ * kVectorBytes;
  const int64_t r = tile_channels_;
  TileJob job{};
  job.group_stride = group_stride;
  job.quads = quads_;
  job.plane = pixels;
  job.zero_point = requantization_.zero_point;
  job.qmin = requantization_.qmin;
  job.qmax = requantization_.qmax;
  job.narrow = narrow_output_stage_;
  job.weight_groups = weight_groups_;
  job.group_quads = group_quads_;
  const bool grouped = weight_groups_ > 1;
  alignas(64) int32_t pixel_sums[kMaxTileVectors * kPixelsPerVector];
  job.pixel_sums = pixel_sums;
  for (int64_t group = 0; group < groups; group += kMaxTileVectors) {
    const int64_t vectors = std::min<int64_t>(kMaxTileVectors, groups - group);
    const auto rows = static_cast<size_t>(r - kMinTileChannels);
    const auto columns = static_cast<size_t>(vectors - 1);
    TileFunction tile = nullptr;
    if (grouped) {
      tile = pool_2x2_ ? kPooledGroupedTiles[rows] : kGroupedTiles[rows][columns];
    } else if (asymmetric_) {
      tile = pool_2x2_ ? kPooledAsymmetricTiles[rows] : kAsymmetricTiles[rows][columns];
      sum_pixels(packed + group * group_stride, group_stride, quads_, ones_.data(), vectors,
                 pixel_sums);
    } else {
      tile = pool_2x2_ ? kPooledTiles[rows] : kTiles[rows][columns];
    }
    job.packed = packed + group * group_stride;
    job.first_pixel = (pool_2x2_ ? group / 4 : group) * kPixelsPerVector;
    for (int64_t first = 0; first < out_channels_; first += r) {
      const auto c = static_cast<size_t>(first);
      job.weights = weights_.data() + first * quads_;
      job.biases = biases_.data() + c;
      if (grouped) {
        job.group_multipliers = group_multipliers_.data() + first * weight_groups_;
        job.shifts = shifts_.data() + c;
      } else {
        job.multipliers = requantization_.multipliers.data() + c;
        job.exponents = requantization_.exponents.data() + c;
      }
      if (asymmetric_) {
        job.weight_zero_points = weight_zero_points_.data() + c;
        job.expansion_constants = expansion_constants_.data() + c;
      }
      job.channels = std::min(r, out_channels_ - first);
      job.out = out + first * pixels + job.first_pixel;
      tile(job);
    }
  }
}

void DirectConvS8Vnni::run(const ConvGeometry& g, const int8_t* input, int8_t* output) {
  if (const std::string reason = geometry_unsupported_reason(g); !reason.empty()) {
    throw std::logic_error("direct int8 convolution: " + reason);
  }
  const PixelQuadPacker& packer = packer_for(g);
  const int threads = omp_get_max_threads();
  if (scratch_.size() < static_cast<size_t>(threads)) scratch_.resize(static_cast<size_t>(threads));
  const int64_t image_in = g.channels * g.height * g.width;
  const int64_t pixels = pixel_quad_pixels(g, pixel_order());
  const int64_t image_out = out_channels_ * pixels;
  auto run_image = [&](int64_t n) {
    Scratch& s = scratch_[static_cast<size_t>(omp_get_thread_num())];
    s.padded.resize(static_cast<size_t>(packer.padded_bytes()));
    s.packed.resize(static_cast<size_t>(pixel_quad_image_bytes(g, pixel_order())));
    packer.pack(input + n * image_in, input_zero_point_, s.padded.data(), s.packed.data());
    prefetch_to_l2(input + (n + 1) * image_in, n + 1 < g.batch ? image_in : 0);
    convolve_image(s.packed.data(), pixels, output + n * image_out);
  };
  parallel_for(g.batch, run_image);
}

}  // namespace slim
