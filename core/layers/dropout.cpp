#include "core/layers/dropout.h"

#include <algorithm>
#include <stdexcept>

namespace slim {

Dropout::Dropout(float p) : p_(p) {
  if (!(p >= 0.0f && p < 1.0f)) throw std::logic_error("dropout: p must be in [0, 1)");
}

void Dropout::unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) {
  output.resize(input.shape());
  active_ = context.mode == Mode::kTrain && p_ > 0.0f;
  if (!active_) {
    std::copy_n(input.data(), input.numel(), output.data());
    return;
  }
  if (!context.rng) throw std::logic_error("dropout: training needs a seeded Rng");
  scale_.resize(input.shape());
  const float keep_scale = 1.0f / (1.0f - p_);
  // Serial on purpose: the mask must not depend on the thread count.
  for (int64_t i = 0; i < input.numel(); ++i) {
    scale_[i] = context.rng->uniform() < p_ ? 0.0f : keep_scale;
    output[i] = input[i] * scale_[i];
  }
}

void Dropout::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  if (!grad_input) return;
  grad_input->resize(grad_output.shape());
  if (!active_) {
    std::copy_n(grad_output.data(), grad_output.numel(), grad_input->data());
    return;
  }
  grad_input->vector() = grad_output.vector().cwiseProduct(scale_.vector());
}

}  // namespace slim
