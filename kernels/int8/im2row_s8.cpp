#include "kernels/int8/im2row_s8.h"

namespace slim {

void im2row_s8(const ConvGeometry& g, const int8_t* image, int8_t padding_code, int8_t* rows) {
  const int64_t out_h = g.out_height(), out_w = g.out_width();
  const int64_t taps = g.col_rows();
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oh = 0; oh < out_h; ++oh) {
      for (int64_t ow = 0; ow < out_w; ++ow) {
        int8_t* row = rows + ((n * out_h + oh) * out_w + ow) * taps;
        for (int64_t c = 0; c < g.channels; ++c) {
          const int8_t* plane = image + (n * g.channels + c) * g.height * g.width;
          for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
            const int64_t ih = oh * g.stride - g.padding + kh;
            for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
              const int64_t iw = ow * g.stride - g.padding + kw;
              const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
              *row++ = inside ? plane[ih * g.width + iw] : padding_code;
            }
          }
        }
      }
    }
  }
}

}  // namespace slim
