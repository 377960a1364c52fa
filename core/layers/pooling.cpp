#include "core/layers/pooling.h"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>

#include "core/parallel_for.h"

namespace slim {
namespace {

struct PoolGeometry {
  int64_t batch, channels, height, width, out_h, out_w;
  PoolGeometry(const Shape& s, const PoolOptions& o)
      : batch(s[0]),
        channels(s[1]),
        height(s[2]),
        width(s[3]),
        out_h((s[2] + 2 * o.padding - o.kernel_size) / o.stride + 1),
        out_w((s[3] + 2 * o.padding - o.kernel_size) / o.stride + 1) {}
  int64_t planes() const { return batch * channels; }
};

Shape pooled_shape(const char* kind, const Shape& input, const PoolOptions& o) {
  if (input.size() != 4) {
    throw std::logic_error(
        fmt::format("{}: expected [N, C, H, W], got {}", kind, shape_to_string(input)));
  }
  const PoolGeometry g(input, o);
  if (g.out_h <= 0 || g.out_w <= 0) {
    throw std::logic_error(
        fmt::format("{}: input {} smaller than the window", kind, shape_to_string(input)));
  }
  return {g.batch, g.channels, g.out_h, g.out_w};
}

nlohmann::json pool_config(const PoolOptions& o) {
  return {{"kernel_size", o.kernel_size}, {"stride", o.stride}, {"padding", o.padding}};
}

// The 2x2, stride-2, unpadded window (LeNet's) on one plane [height, width] to
// [out_h, out_w], without the general loop's bounds tests and data-dependent branches:
// the maximum and its index (the first of equal values in row-major order, and a NaN
// only when it is the window's first element), chosen with selects. The FP32 backends'
// fused pool (kernels/ops/pooled_conv_output.h) computes the same values.
void max_pool_2x2_plane(const float* x, int64_t width, int64_t out_h, int64_t out_w, float* y,
                        int32_t* arg) {
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const int64_t top = 2 * oh * width;
    for (int64_t ow = 0; ow < out_w; ++ow) {
      const int64_t i0 = top + 2 * ow, i1 = i0 + 1, i2 = i0 + width, i3 = i2 + 1;
      float best = x[i0];
      int64_t index = i0;
      index = x[i1] > best ? i1 : index;
      best = x[i1] > best ? x[i1] : best;
      index = x[i2] > best ? i2 : index;
      best = x[i2] > best ? x[i2] : best;
      index = x[i3] > best ? i3 : index;
      best = x[i3] > best ? x[i3] : best;
      y[oh * out_w + ow] = best;
      arg[oh * out_w + ow] = static_cast<int32_t>(index);
    }
  }
}

}  // namespace

nlohmann::json MaxPool2d::config() const {
  return pool_config(options_);
}
nlohmann::json AvgPool2d::config() const {
  return pool_config(options_);
}

Shape MaxPool2d::unary_output_shape(const Shape& input) const {
  return pooled_shape("maxpool2d", input, options_);
}

void MaxPool2d::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  output.resize(unary_output_shape(input.shape()));
  input_shape_ = input.shape();
  const PoolGeometry g(input.shape(), options_);
  const int64_t k = options_.kernel_size, s = options_.stride, pad = options_.padding;
  argmax_.resize(static_cast<size_t>(output.numel()));
  parallel_for(g.planes(), [&](int64_t plane) {
    const float* x = input.data() + plane * g.height * g.width;
    float* y = output.data() + plane * g.out_h * g.out_w;
    int32_t* arg = argmax_.data() + plane * g.out_h * g.out_w;
    if (k == 2 && s == 2 && pad == 0) {
      max_pool_2x2_plane(x, g.width, g.out_h, g.out_w, y, arg);
      return;
    }
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        float best = -std::numeric_limits<float>::infinity();
        int64_t best_index = -1;
        for (int64_t kh = 0; kh < k; ++kh) {
          const int64_t ih = oh * s - pad + kh;
          if (ih < 0 || ih >= g.height) continue;
          for (int64_t kw = 0; kw < k; ++kw) {
            const int64_t iw = ow * s - pad + kw;
            if (iw < 0 || iw >= g.width) continue;
            const float v = x[ih * g.width + iw];
            if (v > best || best_index < 0) {
              best = v;
              best_index = ih * g.width + iw;
            }
          }
        }
        y[oh * g.out_w + ow] = best;
        arg[oh * g.out_w + ow] = static_cast<int32_t>(best_index);
      }
    }
  });
}

void MaxPool2d::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  if (!grad_input) return;
  grad_input->resize(input_shape_);
  grad_input->zero();
  const PoolGeometry g(input_shape_, options_);
  parallel_for(g.planes(), [&](int64_t plane) {
    const float* dy = grad_output.data() + plane * g.out_h * g.out_w;
    const int32_t* arg = argmax_.data() + plane * g.out_h * g.out_w;
    float* dx = grad_input->data() + plane * g.height * g.width;
    for (int64_t i = 0; i < g.out_h * g.out_w; ++i) dx[arg[i]] += dy[i];
  });
}

Shape AvgPool2d::unary_output_shape(const Shape& input) const {
  return pooled_shape("avgpool2d", input, options_);
}

void AvgPool2d::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  output.resize(unary_output_shape(input.shape()));
  input_shape_ = input.shape();
  const PoolGeometry g(input.shape(), options_);
  const int64_t k = options_.kernel_size, s = options_.stride, pad = options_.padding;
  const float inv_area = 1.0f / static_cast<float>(k * k);
  parallel_for(g.planes(), [&](int64_t plane) {
    const float* x = input.data() + plane * g.height * g.width;
    float* y = output.data() + plane * g.out_h * g.out_w;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        float sum = 0.0f;
        for (int64_t kh = 0; kh < k; ++kh) {
          const int64_t ih = oh * s - pad + kh;
          if (ih < 0 || ih >= g.height) continue;
          for (int64_t kw = 0; kw < k; ++kw) {
            const int64_t iw = ow * s - pad + kw;
            if (iw >= 0 && iw < g.width) sum += x[ih * g.width + iw];
          }
        }
        y[oh * g.out_w + ow] = sum * inv_area;
      }
    }
  });
}

void AvgPool2d::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  if (!grad_input) return;
  grad_input->resize(input_shape_);
  grad_input->zero();
  const PoolGeometry g(input_shape_, options_);
  const int64_t k = options_.kernel_size, s = options_.stride, pad = options_.padding;
  const float inv_area = 1.0f / static_cast<float>(k * k);
  parallel_for(g.planes(), [&](int64_t plane) {
    const float* dy = grad_output.data() + plane * g.out_h * g.out_w;
    float* dx = grad_input->data() + plane * g.height * g.width;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const float share = dy[oh * g.out_w + ow] * inv_area;
        for (int64_t kh = 0; kh < k; ++kh) {
          const int64_t ih = oh * s - pad + kh;
          if (ih < 0 || ih >= g.height) continue;
          for (int64_t kw = 0; kw < k; ++kw) {
            const int64_t iw = ow * s - pad + kw;
            if (iw >= 0 && iw < g.width) dx[ih * g.width + iw] += share;
          }
        }
      }
    }
  });
}

Shape GlobalAvgPool::unary_output_shape(const Shape& input) const {
  if (input.size() != 4) {
    throw std::logic_error(
        fmt::format("global_avgpool: expected [N, C, H, W], got {}", shape_to_string(input)));
  }
  return {input[0], input[1]};
}

void GlobalAvgPool::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  output.resize(unary_output_shape(input.shape()));
  input_shape_ = input.shape();
  const int64_t plane = input.dim(2) * input.dim(3);
  output.vector() = input.matrix(input.dim(0) * input.dim(1), plane).rowwise().mean();
}

void GlobalAvgPool::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  if (!grad_input) return;
  grad_input->resize(input_shape_);
  const int64_t plane = input_shape_[2] * input_shape_[3];
  const float inv = 1.0f / static_cast<float>(plane);
  for (int64_t i = 0; i < grad_output.numel(); ++i) {
    std::fill_n(grad_input->data() + i * plane, plane, grad_output[i] * inv);
  }
}

}  // namespace slim
