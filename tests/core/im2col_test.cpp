// im2col against the per-element definition written here: every kernel size, stride and
// padding combination lenet-5 and resnet-8 use, and wider ones, including padding wider
// than the kernel reaches and images narrower than the window's stride.
#include "core/layers/im2col.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

namespace slim {
namespace {

// cols[(c, kh, kw), (n, oh, ow)] = x[n, c, oh * s - p + kh, ow * s - p + kw], or 0 outside.
std::vector<float> im2col_by_definition(const ConvGeometry& g, const std::vector<float>& x) {
  std::vector<float> cols(static_cast<size_t>(g.col_rows() * g.col_cols()), -1.0f);
  const int64_t oh_count = g.out_height(), ow_count = g.out_width();
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t kh = 0; kh < g.kernel_h; ++kh)
      for (int64_t kw = 0; kw < g.kernel_w; ++kw)
        for (int64_t n = 0; n < g.batch; ++n)
          for (int64_t oh = 0; oh < oh_count; ++oh)
            for (int64_t ow = 0; ow < ow_count; ++ow) {
              const int64_t ih = oh * g.stride - g.padding + kh;
              const int64_t iw = ow * g.stride - g.padding + kw;
              const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
              const int64_t row = (c * g.kernel_h + kh) * g.kernel_w + kw;
              const int64_t col = (n * oh_count + oh) * ow_count + ow;
              cols[static_cast<size_t>(row * g.col_cols() + col)] =
                  inside ? x[static_cast<size_t>(((n * g.channels + c) * g.height + ih) * g.width +
                                                 iw)]
                         : 0.0f;
            }
  return cols;
}

TEST_CASE("im2col equals its definition for every stride, padding and kernel", "[im2col]") {
  int64_t checked = 0;
  for (const int64_t kernel : {1, 2, 3, 5}) {
    for (const int64_t stride : {1, 2, 3}) {
      for (const int64_t padding : {0, 1, 2, 4}) {
        for (const int64_t width : {1, 4, 7, 12, 19, 28}) {
          const ConvGeometry g{2, 3, 6, width, kernel, kernel, stride, padding};
          if (g.out_height() <= 0 || g.out_width() <= 0) continue;
          std::vector<float> x(static_cast<size_t>(2 * 3 * 6 * width));
          for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i + 1);
          std::vector<float> cols(static_cast<size_t>(g.col_rows() * g.col_cols()), -1.0f);
          im2col(g, x.data(), cols.data());
          INFO("kernel " << kernel << ", stride " << stride << ", padding " << padding << ", width "
                         << width);
          CHECK(cols == im2col_by_definition(g, x));
          ++checked;
        }
      }
    }
  }
  CHECK(checked > 100);
}

}  // namespace
}  // namespace slim
