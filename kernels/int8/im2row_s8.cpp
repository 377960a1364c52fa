#include "kernels/int8/im2row_s8.h"

#include <algorithm>

namespace slim {
namespace {

// A copy of a few bytes whose count the compiler knows, so it becomes a handful of moves
// instead of a call to memmove (which cost as much as the rest of im2row).
template <int64_t Count>
inline int8_t* copy_fixed(const int8_t* from, int8_t* out) {
  for (int64_t i = 0; i < Count; ++i) out[i] = from[i];
  return out + Count;
}

inline int8_t* copy_taps(const int8_t* from, int64_t count, int8_t* out) {
  switch (count) {
    case 1:
      return copy_fixed<1>(from, out);
    case 3:
      return copy_fixed<3>(from, out);
    case 5:
      return copy_fixed<5>(from, out);
    case 7:
      return copy_fixed<7>(from, out);
    default:
      return std::copy(from, from + count, out);
  }
}

// The kernel_w taps of one (channel, kernel row) for output column ow: a plain copy when
// the whole window lies inside the image row (every pixel away from the left and right
// borders), tap by tap otherwise.
inline int8_t* copy_row_taps(const ConvGeometry& g, const int8_t* image_row, int64_t ow,
                             int8_t padding_code, int8_t* out) {
  const int64_t first = ow * g.stride - g.padding;
  if (first >= 0 && first + g.kernel_w <= g.width) {
    return copy_taps(image_row + first, g.kernel_w, out);
  }
  for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
    const int64_t iw = first + kw;
    *out++ = iw >= 0 && iw < g.width ? image_row[iw] : padding_code;
  }
  return out;
}

}  // namespace

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
            if (ih < 0 || ih >= g.height) {  // a whole kernel row in the padding
              row = std::fill_n(row, g.kernel_w, padding_code);
            } else {
              row = copy_row_taps(g, plane + ih * g.width, ow, padding_code, row);
            }
          }
        }
      }
    }
  }
}

}  // namespace slim
