// The activation fake-quantizer and its STE / LSQ backward (fake_quantize.h).
#include "methods/quantization/qat/fake_quantize.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/error.h"
#include "methods/quantization/qat/lsq.h"

namespace slim {

std::string_view estimator_name(QatEstimator estimator) {
  return estimator == QatEstimator::kLsq ? "lsq" : "ste";
}

QatEstimator parse_estimator(std::string_view name) {
  if (name == "ste") return QatEstimator::kSte;
  if (name == "lsq") return QatEstimator::kLsq;
  fail("unknown QAT estimator '{}'; valid choices: ste, lsq", name);
}

FakeQuantized fake_quantize_element(float x, const ActivationQuant& grid) {
  const float inverse_scale = 1.0f / grid.scale;
  const float code =
      round_with(x * inverse_scale, grid.rounding) + static_cast<float>(grid.zero_point);
  const float lowest = static_cast<float>(grid.qmin), highest = static_cast<float>(grid.qmax);
  const auto clamped = static_cast<int32_t>(std::clamp(code, lowest, highest));
  return {grid.dequantize(clamped), code >= lowest && code <= highest};
}

FakeQuantize::FakeQuantize(ActivationQuant grid, QatEstimator estimator)
    : grid_(grid), estimator_(estimator) {
  if (estimator_ == QatEstimator::kLsq) scale_.value = Tensor({1}, grid.scale);
}

nlohmann::json FakeQuantize::config() const {
  nlohmann::json config = {{"grid", to_json(grid())}, {"estimator", estimator_name(estimator_)}};
  if (!leader_.empty()) config["follows"] = {{"node", leader_}, {"through_relu", through_relu_}};
  return config;
}

std::vector<Named<Parameter>> FakeQuantize::parameters() {
  if (estimator_ != QatEstimator::kLsq) return {};
  return {{"scale", &scale_}};
}

ActivationQuant FakeQuantize::grid() const {
  ActivationQuant grid = grid_;
  if (estimator_ == QatEstimator::kLsq) grid.scale = std::max(scale_.value[0], lsq_min_scale());
  return grid;
}

void FakeQuantize::keep_scale_positive() {
  if (estimator_ == QatEstimator::kLsq)
    scale_.value[0] = std::max(scale_.value[0], lsq_min_scale());
}

void FakeQuantize::follow(std::string leader, bool through_relu) {
  if (estimator_ != QatEstimator::kSte)
    throw std::logic_error("a fake-quant follower uses the STE");
  leader_ = std::move(leader);
  through_relu_ = through_relu;
}

void FakeQuantize::take_leader_grid(const ActivationQuant& leader_grid) {
  grid_ = through_relu_ ? leader_grid.with_relu() : leader_grid;
}

void FakeQuantize::unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) {
  output.resize(input.shape());
  input_ = &input;
  inside_.resize(static_cast<size_t>(input.numel()));
  const ActivationQuant current = grid();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < input.numel(); ++i) {
    const FakeQuantized q = fake_quantize_element(input[i], current);
    output[i] = q.value;
    inside_[static_cast<size_t>(i)] = q.inside;
  }
}

void FakeQuantize::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  if (estimator_ == QatEstimator::kLsq) accumulate_scale_gradient(grad_output, grid());
  if (!grad_input) return;
  grad_input->resize(grad_output.shape());
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < grad_output.numel(); ++i) {
    (*grad_input)[i] = inside_[static_cast<size_t>(i)] ? grad_output[i] : 0.0f;
  }
}

void FakeQuantize::accumulate_scale_gradient(const Tensor& grad_output,
                                             const ActivationQuant& grid) {
  // One scale serves every element of every sample; N counts the elements of one sample,
  // as in the paper, so g does not change with the batch size.
  double sum = 0.0;
  for (int64_t i = 0; i < grad_output.numel(); ++i) {
    sum += static_cast<double>(grad_output[i]) * lsq_scale_derivative((*input_)[i], grid);
  }
  const int64_t per_sample = grad_output.numel() / std::max<int64_t>(grad_output.dim(0), 1);
  const float g = lsq_gradient_scale(per_sample, lsq_positive_codes(grid));
  if (scale_.grad.empty()) scale_.grad = Tensor({1});
  scale_.grad[0] += static_cast<float>(sum) * g;
}

}  // namespace slim
