// im2col / col2im for NCHW convolution as one GEMM over the whole batch.
//
// The column matrix is [C*KH*KW, N*OH*OW] row-major: row (c, kh, kw) lists, for every
// output pixel of every image, the input value that kernel tap reads (zero in the
// padding). With the weights viewed as [O, C*KH*KW], the convolution is W * cols.
#pragma once

#include <cstdint>

namespace slim {

struct ConvGeometry {
  int64_t batch, channels, height, width;
  int64_t kernel_h, kernel_w, stride, padding;
  int64_t out_height() const { return (height + 2 * padding - kernel_h) / stride + 1; }
  int64_t out_width() const { return (width + 2 * padding - kernel_w) / stride + 1; }
  int64_t col_rows() const { return channels * kernel_h * kernel_w; }
  int64_t col_cols() const { return batch * out_height() * out_width(); }
};

void im2col(const ConvGeometry& g, const float* image, float* cols);
// Scatter-adds the columns back into a zeroed image (the transpose of im2col).
void col2im(const ConvGeometry& g, const float* cols, float* image);

}  // namespace slim
