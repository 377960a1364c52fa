#include "core/layers/im2col.h"

#include <algorithm>
#include <cstring>

#include "core/parallel_for.h"

namespace slim {

namespace {

// The outputs o in [0, count) whose input index o * stride - padding + k lies inside
// [0, extent); the others read padding. Along a row it depends only on the kernel column
// kw, down a column only on the kernel row kh.
struct Span {
  int64_t first, last;
  int64_t size() const { return last - first; }
};

Span inside_outputs(int64_t count, int64_t extent, int64_t stride, int64_t padding, int64_t k) {
  const int64_t lowest = padding - k;                // o * stride >= lowest
  const int64_t highest = extent - 1 + padding - k;  // o * stride <= highest
  if (highest < 0) return {0, 0};
  // Stride 1 without a division: a 64-bit divide takes ~15 cycles, and this runs per tap.
  const int64_t first = lowest <= 0 ? 0 : stride == 1 ? lowest : (lowest + stride - 1) / stride;
  const int64_t last = std::min(count, stride == 1 ? highest + 1 : highest / stride + 1);
  return {std::min(first, last), last};
}

// The copies below move runs of an output row: a few to a few dozen floats, 8 for lenet-5's
// conv2. A plain loop per run took ~25 cycles per 8-float run on this project's Zen 4 VM:
// GCC vectorizes it for any length and turns it into a memcpy call, so counts and strides
// live on the stack, and perf put the time on their reloads right behind each run's
// stores. Instead, fixed-size pieces are copied down all the runs at once: a strided loop,
// which stays a loop and keeps everything in registers. With the tap stepping in im2col
// below, lenet-5 conv2's im2col at batch 1 went from 17-24 us to ~10 us.
template <int64_t kFloats>
void copy_piece_down_runs(float* dst, int64_t dst_stride, const float* src, int64_t src_stride,
                          int64_t runs) {
  for (int64_t r = 0; r < runs; ++r) {
    std::memcpy(dst + r * dst_stride, src + r * src_stride, kFloats * sizeof(float));
  }
}

// `runs` runs of `length` contiguous floats. Pieces of 8 floats, the last one overlapping
// the one before (it rewrites equal values), so no length needs a masked or scalar tail
// from 4 floats up.
void copy_runs(float* dst, int64_t dst_stride, const float* src, int64_t src_stride, int64_t runs,
               int64_t length) {
  if (length >= 8) {
    for (int64_t i = 0; i < length - 8; i += 8) {
      copy_piece_down_runs<8>(dst + i, dst_stride, src + i, src_stride, runs);
    }
    copy_piece_down_runs<8>(dst + length - 8, dst_stride, src + length - 8, src_stride, runs);
  } else if (length >= 4) {
    copy_piece_down_runs<4>(dst, dst_stride, src, src_stride, runs);
    copy_piece_down_runs<4>(dst + length - 4, dst_stride, src + length - 4, src_stride, runs);
  } else {
    for (int64_t i = 0; i < length; ++i) {
      copy_piece_down_runs<1>(dst + i, dst_stride, src + i, src_stride, runs);
    }
  }
}

// Runs whose input elements are `step` apart (strided convolutions).
void gather_runs(float* dst, int64_t dst_stride, const float* src, int64_t src_stride, int64_t step,
                 int64_t runs, int64_t length) {
  for (int64_t r = 0; r < runs; ++r) {
    for (int64_t i = 0; i < length; ++i) dst[r * dst_stride + i] = src[r * src_stride + i * step];
  }
}

// The padding's columns of `runs` output rows, column by column for the same reason.
void zero_columns(float* dst, int64_t dst_stride, int64_t runs, int64_t columns) {
  for (int64_t i = 0; i < columns; ++i) {
    for (int64_t r = 0; r < runs; ++r) dst[r * dst_stride + i] = 0.0f;
  }
}

// One kernel tap (c, kh, kw) of one image: its output block of out_height x out_width
// values, the input pixels it reads where they lie inside the image and zeros elsewhere.
struct TapBlock {
  int64_t out_height, out_width, stride;
  Span rows, columns;    // outputs whose input row / column lies inside the image
  int64_t src_offset;    // input (row, column) of output (rows.first, columns.first)
  int64_t src_row_step;  // input distance between successive output rows
};

// out_height and out_width come from the caller, computed once: each is a division.
TapBlock tap_block(const ConvGeometry& g, int64_t out_height, int64_t out_width, int64_t kh,
                   int64_t kw) {
  TapBlock t{out_height,
             out_width,
             g.stride,
             inside_outputs(out_height, g.height, g.stride, g.padding, kh),
             inside_outputs(out_width, g.width, g.stride, g.padding, kw),
             0,
             g.stride * g.width};
  const int64_t ih = t.rows.first * g.stride - g.padding + kh;
  const int64_t iw = t.columns.first * g.stride - g.padding + kw;
  t.src_offset = t.rows.size() > 0 && t.columns.size() > 0 ? ih * g.width + iw : 0;
  return t;
}

void fill_tap_block(const TapBlock& t, const float* plane, float* block) {
  const int64_t width = t.out_width;
  std::fill_n(block, t.rows.first * width, 0.0f);
  float* inside = block + t.rows.first * width;
  const int64_t runs = t.rows.size();
  zero_columns(inside, width, runs, t.columns.first);
  const float* src = plane + t.src_offset;
  if (t.stride == 1) {
    copy_runs(inside + t.columns.first, width, src, t.src_row_step, runs, t.columns.size());
  } else {
    gather_runs(inside + t.columns.first, width, src, t.src_row_step, t.stride, runs,
                t.columns.size());
  }
  zero_columns(inside + t.columns.last, width, runs, width - t.columns.last);
  std::fill_n(block + t.rows.last * width, (t.out_height - t.rows.last) * width, 0.0f);
}

}  // namespace

void im2col(const ConvGeometry& g, const float* image, float* cols) {
  const int64_t plane = g.height * g.width;
  const int64_t out_height = g.out_height(), out_width = g.out_width();
  const int64_t pixels = out_height * out_width;
  const int64_t col_cols = g.batch * pixels;
  const int64_t rows = g.col_rows();
  // Each thread fills a contiguous range of rows (independent, so results are the same for
  // any thread count) and steps the tap (c, kh, kw) along it: deriving it from the row
  // index costs four 64-bit divisions per row, as much as copying lenet-5's 8 x 8 runs.
  parallel_slices(rows, rows > 1, [&](int64_t begin, int64_t end) {
    int64_t kw = begin % g.kernel_w;
    int64_t kh = (begin / g.kernel_w) % g.kernel_h;
    int64_t c = begin / (g.kernel_w * g.kernel_h);
    for (int64_t row = begin; row < end; ++row) {
      const TapBlock tap = tap_block(g, out_height, out_width, kh, kw);
      float* out = cols + row * col_cols;
      for (int64_t n = 0; n < g.batch; ++n) {
        fill_tap_block(tap, image + (n * g.channels + c) * plane, out + n * pixels);
      }
      if (++kw == g.kernel_w) {
        kw = 0;
        if (++kh == g.kernel_h) kh = 0, ++c;
      }
    }
  });
}

void col2im(const ConvGeometry& g, const float* cols, float* image) {
  const int64_t oh_count = g.out_height(), ow_count = g.out_width();
  const int64_t plane = g.height * g.width;
  const int64_t col_cols = g.col_cols();
  const int64_t taps = g.kernel_h * g.kernel_w;
  // Each channel's rows write only that channel's planes: parallel over channels,
  // serial over taps, so the summation order is fixed and results are deterministic.
  parallel_for(g.channels, [&](int64_t c) {
    for (int64_t tap = 0; tap < taps; ++tap) {
      const int64_t kh = tap / g.kernel_w, kw = tap % g.kernel_w;
      const float* in = cols + (c * taps + tap) * col_cols;
      for (int64_t n = 0; n < g.batch; ++n) {
        float* dst = image + (n * g.channels + c) * plane;
        for (int64_t oh = 0; oh < oh_count; ++oh) {
          const int64_t ih = oh * g.stride - g.padding + kh;
          if (ih < 0 || ih >= g.height) continue;
          const float* src = in + (n * oh_count + oh) * ow_count;
          float* dst_row = dst + ih * g.width;
          for (int64_t ow = 0; ow < ow_count; ++ow) {
            const int64_t iw = ow * g.stride - g.padding + kw;
            if (iw >= 0 && iw < g.width) dst_row[iw] += src[ow];
          }
        }
      }
    }
  });
}

}  // namespace slim
