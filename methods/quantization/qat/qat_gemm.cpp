// The conv2d/linear (+ folded BatchNorm) layer of a QAT model (qat_gemm.h).
#include "methods/quantization/qat/qat_gemm.h"

#include <cmath>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/layers/linear.h"

namespace slim {
namespace {

// Channel o of sample n occupies [(n * channels + o) * plane, ... + plane) of an
// [N, O] or [N, O, H, W] tensor.
struct OutputLayout {
  int64_t batch, channels, plane;
  explicit OutputLayout(const Shape& shape)
      : batch(shape[0]), channels(shape[1]), plane(shape.size() == 4 ? shape[2] * shape[3] : 1) {}
  int64_t offset(int64_t n, int64_t o) const { return (n * channels + o) * plane; }
};

std::unique_ptr<Layer> bias_free_engine(const Layer& gemm) {
  if (const auto* conv = dynamic_cast<const Conv2d*>(&gemm)) {
    Conv2dOptions options = conv->options();
    options.bias = false;
    return std::make_unique<Conv2d>(options);
  }
  const auto* linear = dynamic_cast<const Linear*>(&gemm);
  if (!linear)
    throw std::logic_error("QatGemm: expected a conv2d or linear layer, got " + gemm.kind());
  return std::make_unique<Linear>(linear->in_features(), linear->out_features(), false);
}

// The trained weight and bias of the source layer, minus any deployed encoding (QAT
// trains the values and re-encodes them at conversion).
std::pair<Parameter, Parameter> trained_parameters(const Layer& gemm) {
  Parameter weight, bias;
  if (const auto* conv = dynamic_cast<const Conv2d*>(&gemm)) {
    weight = conv->weight();
    if (conv->options().bias) bias = conv->bias();
  } else {
    const auto& linear = dynamic_cast<const Linear&>(gemm);
    weight = linear.weight();
    if (linear.has_bias()) bias = linear.bias();
  }
  weight.storage.reset();
  weight.grad = Tensor();
  bias.grad = Tensor();
  return {std::move(weight), std::move(bias)};
}

}  // namespace

QatGemm::QatGemm(const Layer& gemm, const BatchNorm* batch_norm, std::string batch_norm_name,
                 WeightFakeQuant weight_quant)
    : engine_(bias_free_engine(gemm)),
      batch_norm_name_(std::move(batch_norm_name)),
      weight_quant_(std::move(weight_quant)) {
  if (const auto* conv = dynamic_cast<const Conv2d*>(&gemm)) conv_options_ = conv->options();
  std::tie(weight_, bias_) = trained_parameters(gemm);
  has_bias_ = !bias_.value.empty();
  if (batch_norm) {
    batch_norm_.emplace(*batch_norm);
    for (auto& [name, parameter] : batch_norm_->parameters()) parameter->grad = Tensor();
  }
}

QatGemm::QatGemm(const QatGemm& other)
    : UnaryLayer(other),
      engine_(other.engine_->clone()),
      conv_options_(other.conv_options_),
      weight_(other.weight_),
      bias_(other.bias_),
      has_bias_(other.has_bias_),
      batch_norm_(other.batch_norm_),
      batch_norm_name_(other.batch_norm_name_),
      weight_quant_(other.weight_quant_) {}

nlohmann::json QatGemm::config() const {
  nlohmann::json gemm = fp32_gemm()->config();
  return {{"gemm", gemm},
          {"batch_norm", batch_norm_ ? nlohmann::json(batch_norm_name_) : nlohmann::json()},
          {"weight_quant", weight_quant_.describe()}};
}

std::vector<Named<Parameter>> QatGemm::parameters() {
  std::vector<Named<Parameter>> out = {{"weight", &weight_}};
  if (has_bias_) out.emplace_back("bias", &bias_);
  if (Parameter* scales = weight_quant_.scale_parameter()) out.emplace_back("weight_scale", scales);
  if (batch_norm_) {
    for (auto& [name, parameter] : batch_norm_->parameters())
      out.emplace_back("bn." + name, parameter);
  }
  return out;
}

std::vector<Named<Tensor>> QatGemm::buffers() {
  std::vector<Named<Tensor>> out;
  if (batch_norm_) {
    for (auto& [name, buffer] : batch_norm_->buffers()) out.emplace_back("bn." + name, buffer);
  }
  return out;
}

void QatGemm::freeze_batch_norm() {
  if (batch_norm_) batch_norm_->set_frozen(true);
}

std::unique_ptr<Layer> QatGemm::fp32_gemm() const {
  if (conv_options_) {
    auto conv = std::make_unique<Conv2d>(*conv_options_);
    conv->weight().value = weight_.value;
    conv->weight().mask = weight_.mask;
    if (has_bias_) conv->bias().value = bias_.value;
    return conv;
  }
  auto linear = std::make_unique<Linear>(weight_.value.dim(1), weight_.value.dim(0), has_bias_);
  linear->weight().value = weight_.value;
  linear->weight().mask = weight_.mask;
  if (has_bias_) linear->bias().value = bias_.value;
  return linear;
}

std::unique_ptr<BatchNorm> QatGemm::fp32_batch_norm() const {
  if (!batch_norm_) throw std::logic_error("QatGemm: no BatchNorm was folded into this layer");
  auto copy = std::make_unique<BatchNorm>(*batch_norm_);
  copy->set_frozen(false);
  return copy;
}

Shape QatGemm::unary_output_shape(const Shape& input) const {
  const Shape inputs[] = {input};
  return engine_->output_shape(inputs);
}

int64_t QatGemm::unary_macs(const Shape& input) const {
  const Shape inputs[] = {input};
  return engine_->macs(inputs);
}

Parameter& QatGemm::engine_weight() {
  return *engine_->parameters().front().second;
}

void QatGemm::fold_weight() {
  const int64_t out = rows(), in = cols();
  fold_factor_.assign(static_cast<size_t>(out), 1.0);
  fold_inv_std_.assign(static_cast<size_t>(out), 1.0);
  folded_weight_ = weight_.value;
  if (!batch_norm_) return;
  // The arithmetic of fold_batch_norms (bn_folding.cpp), so that the weight rounded here
  // is bit for bit the one conversion quantizes.
  for (int64_t o = 0; o < out; ++o) {
    const double inv_std = 1.0 / std::sqrt(static_cast<double>(batch_norm_->running_var()[o]) +
                                           static_cast<double>(batch_norm_->eps()));
    const double factor = static_cast<double>(batch_norm_->gamma().value[o]) * inv_std;
    fold_inv_std_[static_cast<size_t>(o)] = inv_std;
    fold_factor_[static_cast<size_t>(o)] = factor;
    float* row = folded_weight_.data() + o * in;
    for (int64_t i = 0; i < in; ++i) row[i] = static_cast<float>(row[i] * factor);
  }
}

void QatGemm::unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) {
  fold_weight();
  Parameter& quantized = engine_weight();
  weight_quant_.forward(folded_weight_.values(), quantized.value.values());
  const Tensor* inputs[] = {&input};
  if (!batch_norm_) {
    engine_->forward(inputs, output, context);
    add_bias(output);
    return;
  }
  engine_->forward(inputs, gemm_output_, context);
  unfold_output();
  const Tensor* normalised[] = {&bn_input_};
  batch_norm_->forward(normalised, output, context);
}

void QatGemm::add_bias(Tensor& output) const {
  if (!has_bias_) return;
  const OutputLayout layout(output.shape());
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < layout.batch; ++n) {
    for (int64_t o = 0; o < layout.channels; ++o) {
      float* values = output.data() + layout.offset(n, o);
      for (int64_t p = 0; p < layout.plane; ++p) values[p] += bias_.value[o];
    }
  }
}

void QatGemm::unfold_output() {
  const OutputLayout layout(gemm_output_.shape());
  bn_input_.resize(gemm_output_.shape());
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t n = 0; n < layout.batch; ++n) {
    for (int64_t o = 0; o < layout.channels; ++o) {
      const auto inverse = static_cast<float>(1.0 / fold_factor_[static_cast<size_t>(o)]);
      const float bias = has_bias_ ? bias_.value[o] : 0.0f;
      const int64_t offset = layout.offset(n, o);
      for (int64_t p = 0; p < layout.plane; ++p) {
        bn_input_[offset + p] = gemm_output_[offset + p] * inverse + bias;
      }
    }
  }
}

void QatGemm::unary_backward(const Tensor& grad_output, Tensor* grad_input) {
  const Tensor* grad_gemm = &grad_output;
  if (batch_norm_) {
    backward_through_batch_norm(grad_output);
    grad_gemm = &grad_gemm_;
  } else {
    accumulate_bias_gradient(grad_output);
  }
  Parameter& quantized = engine_weight();
  quantized.grad = Tensor(quantized.value.shape());  // dL/d fq(W_f), this pass only
  Tensor* input_grads[] = {grad_input};
  engine_->backward(*grad_gemm, input_grads);
  accumulate_weight_gradients();
}

void QatGemm::accumulate_bias_gradient(const Tensor& grad) {
  if (!has_bias_) return;
  const OutputLayout layout(grad.shape());
  if (bias_.grad.empty()) bias_.grad = Tensor(bias_.value.shape());
#pragma omp parallel for schedule(static)
  for (int64_t o = 0; o < layout.channels; ++o) {
    double sum = 0.0;
    for (int64_t n = 0; n < layout.batch; ++n) {
      const float* values = grad.data() + layout.offset(n, o);
      for (int64_t p = 0; p < layout.plane; ++p) sum += values[p];
    }
    bias_.grad[o] += static_cast<float>(sum);
  }
}

void QatGemm::backward_through_batch_norm(const Tensor& grad_output) {
  Tensor* bn_grads[] = {&grad_bn_input_};
  batch_norm_->backward(grad_output, bn_grads);
  accumulate_bias_gradient(grad_bn_input_);
  // bn_input = z / f + b: dL/dz = dL/d(bn_input) / f, and dL/df = -sum(dL/d(bn_input) z) / f^2.
  const OutputLayout layout(grad_bn_input_.shape());
  grad_gemm_.resize(grad_bn_input_.shape());
  fold_factor_grad_.assign(static_cast<size_t>(layout.channels), 0.0);
#pragma omp parallel for schedule(static)
  for (int64_t o = 0; o < layout.channels; ++o) {
    const double factor = fold_factor_[static_cast<size_t>(o)];
    const auto inverse = static_cast<float>(1.0 / factor);
    double sum = 0.0;
    for (int64_t n = 0; n < layout.batch; ++n) {
      const int64_t offset = layout.offset(n, o);
      for (int64_t p = 0; p < layout.plane; ++p) {
        const float g = grad_bn_input_[offset + p];
        grad_gemm_[offset + p] = g * inverse;
        sum += static_cast<double>(g) * gemm_output_[offset + p];
      }
    }
    fold_factor_grad_[static_cast<size_t>(o)] = -sum / (factor * factor);
  }
}

void QatGemm::accumulate_weight_gradients() {
  const Parameter& quantized = engine_weight();
  grad_folded_.resize(weight_.value.shape());
  weight_quant_.backward(folded_weight_.values(), quantized.grad.values(), grad_folded_.values());
  if (weight_.grad.empty()) weight_.grad = Tensor(weight_.value.shape());
  const int64_t out = rows(), in = cols();
  if (batch_norm_ && batch_norm_->gamma().grad.empty()) {
    batch_norm_->gamma().grad = Tensor(batch_norm_->gamma().value.shape());
  }
#pragma omp parallel for schedule(static)
  for (int64_t o = 0; o < out; ++o) {
    const double factor = fold_factor_[static_cast<size_t>(o)];
    const float* grad_row = grad_folded_.data() + o * in;
    const float* weight_row = weight_.value.data() + o * in;
    float* accumulate = weight_.grad.data() + o * in;
    double factor_grad = 0.0;  // dL/df through W * f
    for (int64_t i = 0; i < in; ++i) {
      accumulate[i] += static_cast<float>(grad_row[i] * factor);
      factor_grad += static_cast<double>(grad_row[i]) * weight_row[i];
    }
    if (!batch_norm_) continue;
    factor_grad += fold_factor_grad_[static_cast<size_t>(o)];
    batch_norm_->gamma().grad[o] +=
        static_cast<float>(factor_grad * fold_inv_std_[static_cast<size_t>(o)]);
  }
}

}  // namespace slim
