#include "kernels/int8/im2row_s8.h"

#include <algorithm>
#include <cstring>

namespace slim {
namespace {

// One kernel row (channel c, kernel row kh) for every output pixel of output row oh: the
// same Width taps at the same offset of each pixel's row of `rows`. The loop order keeps
// the bounds, the source row and the tap offset out of the per-pixel work, and the width
// is a compile-time constant for the usual kernels (copy_kernel_row_fixed), so each copy
// is a few moves, not a call to memmove (which cost as much as the rest of im2row).
inline void copy_kernel_row(const ConvGeometry& g, const int8_t* image_row, int64_t out_w,
                            int8_t padding_code, int64_t taps, int8_t* out, int64_t width) {
  for (int64_t ow = 0; ow < out_w; ++ow, out += taps) {
    const int64_t first = ow * g.stride - g.padding;
    if (first >= 0 && first + width <= g.width) {
      for (int64_t kw = 0; kw < width; ++kw) out[kw] = image_row[first + kw];
    } else {  // the window overlaps the left or right padding
      for (int64_t kw = 0; kw < width; ++kw) {
        const int64_t iw = first + kw;
        out[kw] = iw >= 0 && iw < g.width ? image_row[iw] : padding_code;
      }
    }
  }
}

// The same for a width of 3 or 5 with one 4- or 8-byte move per pixel instead of 3 or 5
// byte moves. The move writes 1 or 3 bytes past the window, into the next kernel row's
// taps of the same pixel, which the caller writes afterwards; so it is used only when a
// next kernel row exists (`spill_ok`) and the wide read stays inside the image row.
template <int64_t Width, int64_t Move>
void copy_kernel_row_wide(const ConvGeometry& g, const int8_t* image_row, int64_t out_w,
                          int8_t padding_code, int64_t taps, int8_t* out) {
  for (int64_t ow = 0; ow < out_w; ++ow, out += taps) {
    const int64_t first = ow * g.stride - g.padding;
    if (first >= 0 && first + Move <= g.width) {
      std::memcpy(out, image_row + first, Move);
    } else {  // near the right edge, or in the padding
      for (int64_t kw = 0; kw < Width; ++kw) {
        const int64_t iw = first + kw;
        out[kw] = iw >= 0 && iw < g.width ? image_row[iw] : padding_code;
      }
    }
  }
}

template <int64_t Width>
void copy_kernel_row_fixed(const ConvGeometry& g, const int8_t* image_row, int64_t out_w,
                           int8_t padding_code, int64_t taps, int8_t* out) {
  copy_kernel_row(g, image_row, out_w, padding_code, taps, out, Width);  // Width: a constant
}

void copy_kernel_row_any(const ConvGeometry& g, const int8_t* image_row, int64_t out_w,
                         int8_t padding_code, int64_t taps, int8_t* out, bool spill_ok) {
  if (spill_ok && g.kernel_w == 3) {
    return copy_kernel_row_wide<3, 4>(g, image_row, out_w, padding_code, taps, out);
  }
  if (spill_ok && g.kernel_w == 5) {
    return copy_kernel_row_wide<5, 8>(g, image_row, out_w, padding_code, taps, out);
  }
  switch (g.kernel_w) {
    case 1:
      return copy_kernel_row_fixed<1>(g, image_row, out_w, padding_code, taps, out);
    case 3:
      return copy_kernel_row_fixed<3>(g, image_row, out_w, padding_code, taps, out);
    case 5:
      return copy_kernel_row_fixed<5>(g, image_row, out_w, padding_code, taps, out);
    default:
      return copy_kernel_row(g, image_row, out_w, padding_code, taps, out, g.kernel_w);
  }
}

// A kernel row that lies wholly in the top or bottom padding.
void fill_kernel_row(const ConvGeometry& g, int64_t out_w, int8_t padding_code, int64_t taps,
                     int8_t* out) {
  for (int64_t ow = 0; ow < out_w; ++ow, out += taps) std::fill_n(out, g.kernel_w, padding_code);
}

}  // namespace

void im2row_s8(const ConvGeometry& g, const int8_t* image, int8_t padding_code, int8_t* rows) {
  const int64_t out_h = g.out_height(), out_w = g.out_width();
  const int64_t taps = g.col_rows();
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t oh = 0; oh < out_h; ++oh) {
      int8_t* first_pixel = rows + (n * out_h + oh) * out_w * taps;
      for (int64_t c = 0; c < g.channels; ++c) {
        const int8_t* plane = image + (n * g.channels + c) * g.height * g.width;
        for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
          const int64_t ih = oh * g.stride - g.padding + kh;
          int8_t* out = first_pixel + (c * g.kernel_h + kh) * g.kernel_w;
          if (ih < 0 || ih >= g.height) {
            fill_kernel_row(g, out_w, padding_code, taps, out);
          } else {
            // Every kernel row but the pixel's last is followed by one written later.
            const bool spill_ok = c + 1 < g.channels || kh + 1 < g.kernel_h;
            copy_kernel_row_any(g, plane + ih * g.width, out_w, padding_code, taps, out, spill_ok);
          }
        }
      }
    }
  }
}

}  // namespace slim
