#include "kernels/int8/pixel_quads.h"

#include <fmt/format.h>
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

// GCC 12's AVX-512 intrinsics start some results from _mm512_undefined_epi32(), a
// deliberate self-initialisation that -Wuninitialized reports inside every caller.
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace slim {
namespace {

constexpr uint8_t kUnsignedShift = 0x80;
// vpermi2b indexes the 128 bytes of two vectors.
constexpr int64_t kGatherReach = 128;

int64_t depth_of(const ConvGeometry& g) {
  return g.col_rows();
}

bool pooled(PixelOrder order) {
  return order == PixelOrder::kPoolWindows2x2;
}

// The output pixel (oh, ow) a lane of a group holds, with the padding repeats.
struct Pixel {
  int64_t oh, ow;
};

Pixel lane_pixel(const ConvGeometry& g, PixelOrder order, int64_t group, int64_t lane) {
  if (!pooled(order)) {
    const int64_t p = std::min(group * kPixelsPerVector + lane, pixel_quad_pixels(g) - 1);
    return {p / g.out_width(), p % g.out_width()};
  }
  const int64_t window = group % 4;
  const int64_t p = std::min(group / 4 * kPixelsPerVector + lane, pixel_quad_pixels(g, order) - 1);
  const int64_t pooled_w = g.out_width() / 2;
  return {p / pooled_w * 2 + window / 2, p % pooled_w * 2 + window % 2};
}

// Byte j of quad `quad`: its tap's channel and kernel row and column, in PyTorch's
// weight order (c, kh, kw).
struct Tap {
  int64_t c, kh, kw;
};

Tap quad_tap(const ConvGeometry& g, int64_t quad, int64_t j) {
  const int64_t k = std::min(quad * 4 + j, depth_of(g) - 1);
  const int64_t taps_per_channel = g.kernel_h * g.kernel_w;
  return {k / taps_per_channel, k % taps_per_channel / g.kernel_w, k % g.kernel_w};
}

}  // namespace

int64_t pixel_quad_pixels(const ConvGeometry& g, PixelOrder order) {
  if (pooled(order)) return (g.out_height() / 2) * (g.out_width() / 2);
  return g.out_height() * g.out_width();
}

int64_t pixel_quad_groups(const ConvGeometry& g, PixelOrder order) {
  const int64_t groups = (pixel_quad_pixels(g, order) + kPixelsPerVector - 1) / kPixelsPerVector;
  return pooled(order) ? 4 * groups : groups;
}

int64_t pixel_quad_depth(const ConvGeometry& g) {
  return (depth_of(g) + 3) / 4;
}

int64_t pixel_quad_image_bytes(const ConvGeometry& g, PixelOrder order) {
  return pixel_quad_groups(g, order) * pixel_quad_depth(g) * kVectorBytes;
}

void pack_pixel_quads_reference(const ConvGeometry& g, const int8_t* image, int8_t zero_point,
                                uint8_t* out, PixelOrder order) {
  for (int64_t group = 0; group < pixel_quad_groups(g, order); ++group) {
    for (int64_t quad = 0; quad < pixel_quad_depth(g); ++quad) {
      for (int64_t lane = 0; lane < kPixelsPerVector; ++lane) {
        const Pixel pixel = lane_pixel(g, order, group, lane);
        for (int64_t j = 0; j < 4; ++j) {
          const Tap tap = quad_tap(g, quad, j);
          const int64_t ih = pixel.oh * g.stride - g.padding + tap.kh;
          const int64_t iw = pixel.ow * g.stride - g.padding + tap.kw;
          const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
          const int8_t code = inside ? image[(tap.c * g.height + ih) * g.width + iw] : zero_point;
          *out++ = static_cast<uint8_t>(code) ^ kUnsignedShift;
        }
      }
    }
  }
}

PixelQuadPacker::PixelQuadPacker(const ConvGeometry& g, PixelOrder order)
    : g_(g),
      order_(order),
      padded_h_(g.height + 2 * g.padding),
      padded_w_(g.width + 2 * g.padding),
      groups_(pixel_quad_groups(g, order)),
      quads_(pixel_quad_depth(g)) {
  if (pooled(order) && (g.out_height() < 2 || g.out_width() < 2)) {
    throw std::logic_error("pixel quads: a 2x2 pool needs an output of at least 2 x 2");
  }
  for (int64_t quad = 0; quad < quads_; ++quad) {
    for (int64_t j = 0; j < 4; ++j) {
      const Tap tap = quad_tap(g, quad, j);
      tap_offsets_.push_back(
          static_cast<int32_t>((tap.c * padded_h_ + tap.kh) * padded_w_ + tap.kw));
    }
  }
  auto origin = [&](Pixel p) { return p.oh * g.stride * padded_w_ + p.ow * g.stride; };
  int64_t widest_group = 0;
  group_indices_.resize(static_cast<size_t>(groups_ * kVectorBytes));
  for (int64_t group = 0; group < groups_; ++group) {
    const int64_t first = origin(lane_pixel(g, order, group, 0));
    group_origins_.push_back(static_cast<int32_t>(first));
    for (int64_t lane = 0; lane < kPixelsPerVector; ++lane) {
      const int64_t distance = origin(lane_pixel(g, order, group, lane)) - first;
      widest_group = std::max(widest_group, distance);
      for (int64_t j = 0; j < 4; ++j) {
        group_indices_[static_cast<size_t>(group * kVectorBytes + 4 * lane + j)] =
            static_cast<uint8_t>(distance);
      }
    }
  }
  if (widest_group >= kGatherReach) {
    unsupported_reason_ =
        fmt::format("the 16 output pixels of a group span {} input bytes, more than vpermi2b's {}",
                    widest_group + 1, kGatherReach);
  }
  quad_deltas_.resize(static_cast<size_t>(quads_ * kVectorBytes));
  for (int64_t quad = 0; quad < quads_; ++quad) {
    const int32_t* taps = tap_offsets_.data() + 4 * quad;
    const int64_t widest_quad = taps[3] - taps[0];  // offsets grow with k
    for (int64_t lane = 0; lane < kPixelsPerVector; ++lane) {
      for (int64_t j = 0; j < 4; ++j) {
        quad_deltas_[static_cast<size_t>(quad * kVectorBytes + 4 * lane + j)] =
            static_cast<uint8_t>(std::min<int64_t>(taps[j] - taps[0], kGatherReach - 1));
      }
    }
    single_gather_.push_back(widest_group + widest_quad < kGatherReach ? 1 : 0);
  }
}

int64_t PixelQuadPacker::quads_gathered_at_once() const {
  return std::count(single_gather_.begin(), single_gather_.end(), 1);
}

// Every read of pack() lies within 128 bytes of a pixel origin plus a tap offset, which
// is inside the copy; the slack keeps the second 64-byte load of the last taps in bounds.
int64_t PixelQuadPacker::padded_bytes() const {
  return g_.channels * padded_h_ * padded_w_ + kGatherReach;
}

namespace {

// dst[i] = src[i] ^ 0x80 for n bytes, 64 at a time (the scalar loop was a tenth of
// lenet-5's int8 time at batch 256).
__attribute__((target("avx512f,avx512bw"))) void copy_unsigned(const int8_t* src, uint8_t* dst,
                                                               int64_t n) {
  const __m512i shift = _mm512_set1_epi8(static_cast<char>(kUnsignedShift));
  for (int64_t i = 0; i < n; i += kVectorBytes) {
    const int64_t left = n - i;
    const __mmask64 lanes = left >= kVectorBytes ? ~__mmask64{0} : (__mmask64{1} << left) - 1;
    _mm512_mask_storeu_epi8(dst + i, lanes,
                            _mm512_xor_si512(_mm512_maskz_loadu_epi8(lanes, src + i), shift));
  }
}

}  // namespace

void PixelQuadPacker::pad_unsigned(const int8_t* image, int8_t zero_point, uint8_t* padded) const {
  const uint8_t border = static_cast<uint8_t>(zero_point) ^ kUnsignedShift;
  const int64_t copy_bytes = padded_bytes() - kGatherReach;
  // The slack is read but never used; fill it so that every read is of defined bytes.
  std::fill_n(padded + copy_bytes, kGatherReach, border);
  if (g_.padding == 0) {  // the copy is the image, shifted
    copy_unsigned(image, padded, copy_bytes);
    return;
  }
  std::fill_n(padded, copy_bytes, border);
  for (int64_t c = 0; c < g_.channels; ++c) {
    for (int64_t h = 0; h < g_.height; ++h) {
      copy_unsigned(image + (c * g_.height + h) * g_.width,
                    padded + (c * padded_h_ + h + g_.padding) * padded_w_ + g_.padding, g_.width);
    }
  }
}

namespace {

// Bytes 4i + j of the 16 pixels' quads, tap j at `taps[j]` from each pixel's origin:
// vpermi2b picks byte index[b] of the 128 bytes at `origin + taps[j]`.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) __m512i gather_tap(const uint8_t* from,
                                                                          __m512i index) {
  return _mm512_permutex2var_epi8(_mm512_loadu_si512(from), index,
                                  _mm512_loadu_si512(from + kVectorBytes));
}

__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void pack_image(
    const uint8_t* padded, int64_t groups, int64_t quads, const int32_t* group_origins,
    const uint8_t* group_indices, const int32_t* tap_offsets, const uint8_t* quad_deltas,
    const uint8_t* single_gather, uint8_t* out) {
  // Byte j of every 32-bit lane.
  constexpr __mmask64 kTap1 = 0x2222222222222222ULL;
  constexpr __mmask64 kTap2 = 0x4444444444444444ULL;
  constexpr __mmask64 kTap3 = 0x8888888888888888ULL;
  for (int64_t group = 0; group < groups; ++group) {
    const __m512i index = _mm512_load_si512(group_indices + group * kVectorBytes);
    const uint8_t* origin = padded + group_origins[group];
    for (int64_t quad = 0; quad < quads; ++quad, out += kVectorBytes) {
      const int32_t* taps = tap_offsets + 4 * quad;
      __m512i vector;
      if (single_gather[quad]) {
        const __m512i delta = _mm512_load_si512(quad_deltas + quad * kVectorBytes);
        vector = gather_tap(origin + taps[0], _mm512_add_epi8(index, delta));
      } else {
        vector = gather_tap(origin + taps[0], index);
        vector = _mm512_mask_blend_epi8(kTap1, vector, gather_tap(origin + taps[1], index));
        vector = _mm512_mask_blend_epi8(kTap2, vector, gather_tap(origin + taps[2], index));
        vector = _mm512_mask_blend_epi8(kTap3, vector, gather_tap(origin + taps[3], index));
      }
      _mm512_store_si512(out, vector);
    }
  }
}

}  // namespace

void PixelQuadPacker::pack(const int8_t* image, int8_t zero_point, uint8_t* padded,
                           uint8_t* out) const {
  if (!unsupported_reason_.empty()) {
    throw std::logic_error("pixel quads: cannot pack this geometry: " + unsupported_reason_);
  }
  pad_unsigned(image, zero_point, padded);
  pack_image(padded, groups_, quads_, group_origins_.data(), group_indices_.data(),
             tap_offsets_.data(), quad_deltas_.data(), single_gather_.data(), out);
}

}  // namespace slim
