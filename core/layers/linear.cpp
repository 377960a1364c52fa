#include "core/layers/linear.h"

#include <fmt/format.h>

#include <stdexcept>

#include "core/channel_slice.h"
#include "core/gemm.h"

namespace slim {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias)
    : in_features_(in_features), out_features_(out_features), has_bias_(bias) {
  weight_.value = Tensor({out_features, in_features});
  if (has_bias_) bias_.value = Tensor({out_features});
}

nlohmann::json Linear::config() const {
  return {{"in_features", in_features_}, {"out_features", out_features_}, {"bias", has_bias_}};
}

std::vector<Named<Parameter>> Linear::parameters() {
  std::vector<Named<Parameter>> out = {{"weight", &weight_}};
  if (has_bias_) out.emplace_back("bias", &bias_);
  return out;
}

Shape Linear::unary_output_shape(const Shape& input) const {
  if (input.size() != 2 || input[1] != in_features_) {
    throw std::logic_error(fmt::format("linear: expected input [N, {}], got {}", in_features_,
                                       shape_to_string(input)));
  }
  return {input[0], out_features_};
}

void Linear::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  output.resize(unary_output_shape(input.shape()));
  const int64_t batch = input.dim(0);
  input_ = &input;
  if (has_bias_) {
    // Broadcast the bias into every row, then let GEMM accumulate onto it (beta = 1).
    for (int64_t row = 0; row < batch; ++row) {
      std::copy_n(bias_.value.data(), out_features_, output.data() + row * out_features_);
    }
  }
  sgemm(Trans::kNo, Trans::kYes, batch, out_features_, in_features_, 1.0f, input.data(),
        in_features_, weight_.value.data(), in_features_, has_bias_ ? 1.0f : 0.0f, output.data(),
        out_features_);
}

void Linear::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  const int64_t batch = grad_output.dim(0);
  if (weight_.grad.empty()) weight_.grad = Tensor(weight_.value.shape());
  // dW += dY^T X
  sgemm(Trans::kYes, Trans::kNo, out_features_, in_features_, batch, 1.0f, grad_output.data(),
        out_features_, input_->data(), in_features_, 1.0f, weight_.grad.data(), in_features_);
  if (has_bias_) {
    if (bias_.grad.empty()) bias_.grad = Tensor(bias_.value.shape());
    bias_.grad.vector() += grad_output.matrix(batch, out_features_).colwise().sum().transpose();
  }
  if (grad_input) {
    grad_input->resize({batch, in_features_});
    sgemm(Trans::kNo, Trans::kNo, batch, in_features_, out_features_, 1.0f, grad_output.data(),
          out_features_, weight_.value.data(), in_features_, 0.0f, grad_input->data(),
          in_features_);
  }
}

void Linear::keep_outputs(std::span<const int64_t> keep) {
  keep_parameter(weight_, 0, keep);
  if (has_bias_) keep_parameter(bias_, 0, keep);
  out_features_ = static_cast<int64_t>(keep.size());
}

void Linear::keep_inputs(std::span<const int64_t> keep) {
  keep_parameter(weight_, 1, keep);
  in_features_ = static_cast<int64_t>(keep.size());
}

int64_t Linear::unary_macs(const Shape& input) const {
  return input[0] * in_features_ * out_features_;
}

}  // namespace slim
