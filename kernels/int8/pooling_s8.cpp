#include "kernels/int8/pooling_s8.h"

#include <fmt/format.h>
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "kernels/int8/cpu_features.h"

namespace slim {
namespace {

void check_nchw(const Int8Tensor& input, const char* op) {
  if (input.shape.size() != 4) {
    throw std::logic_error(
        fmt::format("{}: expected [N, C, H, W], got {}", op, shape_to_string(input.shape)));
  }
}

// round(sum / count) with halves away from zero; count > 0.
int64_t divide_rounding_half_away(int64_t sum, int64_t count) {
  const int64_t magnitude = ((sum < 0 ? -sum : sum) + count / 2) / count;
  return sum < 0 ? -magnitude : magnitude;
}

}  // namespace

void maxpool_2x2_plane_reference(const int8_t* x, int64_t width, int64_t out_h, int64_t out_w,
                                 int8_t* y) {
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const int8_t* top = x + 2 * oh * width;
    const int8_t* bottom = top + width;
    for (int64_t ow = 0; ow < out_w; ++ow) {
      y[oh * out_w + ow] = std::max(std::max(top[2 * ow], top[2 * ow + 1]),
                                    std::max(bottom[2 * ow], bottom[2 * ow + 1]));
    }
  }
}

// 32 outputs from 64 bytes of each input row: the vertical maximum byte by byte, then
// each 16-bit lane's two bytes (one window's columns) sign-extended and compared, and the
// lanes narrowed back to bytes. Masked loads and stores take the row's end, so LeNet's
// 24-byte rows need no scalar tail.
__attribute__((target("avx512f,avx512bw,avx512vl"))) void maxpool_2x2_plane_avx512(
    const int8_t* x, int64_t width, int64_t out_h, int64_t out_w, int8_t* y) {
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const int8_t* top = x + 2 * oh * width;
    const int8_t* bottom = top + width;
    for (int64_t ow = 0; ow < out_w; ow += 32) {
      const int64_t outputs = std::min<int64_t>(32, out_w - ow);
      const __mmask64 inputs_mask =
          outputs == 32 ? ~__mmask64{0} : (__mmask64{1} << (2 * outputs)) - 1;
      const __m512i vertical =
          _mm512_max_epi8(_mm512_maskz_loadu_epi8(inputs_mask, top + 2 * ow),
                          _mm512_maskz_loadu_epi8(inputs_mask, bottom + 2 * ow));
      const __m512i left = _mm512_srai_epi16(_mm512_slli_epi16(vertical, 8), 8);
      const __m512i right = _mm512_srai_epi16(vertical, 8);
      const __m256i window_max = _mm512_cvtepi16_epi8(_mm512_max_epi16(left, right));
      const auto outputs_mask = static_cast<__mmask32>((uint64_t{1} << outputs) - 1);
      _mm256_mask_storeu_epi8(y + oh * out_w + ow, outputs_mask, window_max);
    }
  }
}

void maxpool2d_s8(const PoolOptions& options, const Int8Tensor& input, Int8Tensor& output) {
  check_nchw(input, "maxpool2d (int8)");
  const int64_t height = input.dim(2), width = input.dim(3);
  const int64_t k = options.kernel_size, s = options.stride, pad = options.padding;
  const int64_t out_h = (height + 2 * pad - k) / s + 1;
  const int64_t out_w = (width + 2 * pad - k) / s + 1;
  if (out_h <= 0 || out_w <= 0) {
    throw std::logic_error(fmt::format("maxpool2d (int8): input {} smaller than the window",
                                       shape_to_string(input.shape)));
  }
  output.resize({input.dim(0), input.dim(1), out_h, out_w});
  output.quant = input.quant;
  const int64_t planes = input.dim(0) * input.dim(1);
  static const bool avx512 = avx512_unavailable_reason().empty();
  for (int64_t plane = 0; plane < planes; ++plane) {
    const int8_t* x = input.data() + plane * height * width;
    int8_t* y = output.data() + plane * out_h * out_w;
    if (k == 2 && s == 2 && pad == 0) {
      if (avx512) {
        maxpool_2x2_plane_avx512(x, width, out_h, out_w, y);
      } else {
        maxpool_2x2_plane_reference(x, width, out_h, out_w, y);
      }
      continue;
    }
    for (int64_t oh = 0; oh < out_h; ++oh) {
      for (int64_t ow = 0; ow < out_w; ++ow) {
        // Every window holds at least one real element when padding < kernel_size, the
        // FP32 layer's (and PyTorch's) requirement.
        int8_t best = -128;
        for (int64_t ih = std::max<int64_t>(oh * s - pad, 0);
             ih < std::min(oh * s - pad + k, height); ++ih) {
          for (int64_t iw = std::max<int64_t>(ow * s - pad, 0);
               iw < std::min(ow * s - pad + k, width); ++iw) {
            best = std::max(best, x[ih * width + iw]);
          }
        }
        y[oh * out_w + ow] = best;
      }
    }
  }
}

void global_avgpool_s8(const Int8Tensor& input, Int8Tensor& output) {
  check_nchw(input, "global_avgpool (int8)");
  const int64_t planes = input.dim(0) * input.dim(1);
  const int64_t area = input.dim(2) * input.dim(3);
  output.resize({input.dim(0), input.dim(1)});
  output.quant = input.quant;
  const int32_t zero_point = input.quant.zero_point;
  for (int64_t plane = 0; plane < planes; ++plane) {
    const int8_t* x = input.data() + plane * area;
    int64_t sum = 0;  // of q - Z, so the rounding is symmetric about real 0
    for (int64_t i = 0; i < area; ++i) sum += x[i] - zero_point;
    const int64_t code = zero_point + divide_rounding_half_away(sum, area);
    output.data()[plane] =
        static_cast<int8_t>(std::clamp<int64_t>(code, input.quant.qmin, input.quant.qmax));
  }
}

}  // namespace slim
