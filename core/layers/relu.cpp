#include "core/layers/relu.h"

#include <algorithm>

#include "core/parallel_for.h"

namespace slim {
namespace {

// Elements per range a thread takes: 64 KiB of input, enough to pay for the split.
constexpr int64_t kElementwiseGrain = 16384;

}  // namespace

void ReLU::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  output.resize(input.shape());
  const int64_t n = input.numel();
  const float* x = input.data();
  float* y = output.data();
  // Not std::max(x[i], 0.0f): it returns a reference to one of two objects, which GCC
  // 12 compiles to a branch per element (mispredicted half the time on activations)
  // rather than a vector compare and blend. NaN stays NaN, as with std::max.
  parallel_for_ranges(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) {
      const float v = x[i];
      y[i] = v < 0.0f ? 0.0f : v;
    }
  });
  output_ = &output;
}

void ReLU::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  if (!grad_input) return;
  grad_input->resize(grad_output.shape());
  const int64_t n = grad_output.numel();
  const float* dy = grad_output.data();
  const float* y = output_->data();
  float* dx = grad_input->data();
  parallel_for_ranges(n, kElementwiseGrain, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
  });
}

}  // namespace slim
