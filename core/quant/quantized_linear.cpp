#include "core/quant/quantized_linear.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace slim {
namespace {

constexpr QuantRange kInt8{.bits = 8, .is_signed = true, .narrow = false};

std::string_view dynamic_range_name(DynamicRange range) {
  return range == DynamicRange::kAbsMax ? "abs_max" : "min_max";
}

void check_bias_size(const QuantizedWeight& weight, const std::vector<float>& bias) {
  if (!bias.empty() && static_cast<int64_t>(bias.size()) != weight.rows()) {
    throw std::invalid_argument(fmt::format("quantized layer: bias has {} entries for {} outputs",
                                            bias.size(), weight.rows()));
  }
}

}  // namespace

ActivationQuant dynamic_input_quant(std::span<const float> batch, DynamicRange range,
                                    Rounding rounding) {
  if (batch.empty()) throw std::invalid_argument("dynamic quantization of an empty batch");
  // std::minmax_element's choices (the first lowest, the last highest) in a loop that
  // compiles to vector code: the branchy scan was a tenth of lenet-5's dynamic int8 run.
  // A NaN never compares, so it is looked for separately (minmax_element missed one that
  // was not the first element).
  float lowest = batch[0], highest = batch[0];
  bool nan = false;
  for (const float v : batch) {
    lowest = v < lowest ? v : lowest;
    highest = v >= highest ? v : highest;
    nan |= v != v;
  }
  if (nan || !std::isfinite(lowest) || !std::isfinite(highest)) {
    throw std::runtime_error("dynamic quantization: the input holds a non-finite value");
  }
  const QuantParams params =
      range == DynamicRange::kAbsMax
          ? abs_max_params(std::max(std::fabs(lowest), std::fabs(highest)), kInt8)
          : min_max_params(lowest, highest, kInt8);
  return to_activation_quant(params, kInt8, rounding);
}

int32_t integer_bias(float bias, float input_scale, float weight_scale) {
  // Computed in double: the product of two scales can be tiny, and the bias code must be
  // the one the integer path is given whichever side computes it.
  const double code =
      std::nearbyint(static_cast<double>(bias) / (static_cast<double>(input_scale) * weight_scale));
  return static_cast<int32_t>(std::clamp(code, -2147483648.0, 2147483647.0));
}

std::vector<float> simulated_bias(const QuantizedWeight& weight, const std::vector<float>& bias,
                                  const QuantScheme& scheme) {
  if (bias.empty() || !scheme.is_static() || weight.groups_per_row() != 1) return bias;
  std::vector<float> effective(bias.size());
  const float input_scale = scheme.fixed->input.scale;
  for (int64_t row = 0; row < weight.rows(); ++row) {
    const float weight_scale = weight.scale(row, 0);
    const auto code = static_cast<double>(integer_bias(bias[row], input_scale, weight_scale));
    effective[row] = static_cast<float>(code * input_scale * weight_scale);
  }
  return effective;
}

void fake_quantize_input(const Tensor& input, const QuantScheme& scheme, Tensor& fake_input) {
  fake_input = input;
  const ActivationQuant grid =
      scheme.is_static()
          ? scheme.fixed->input
          : dynamic_input_quant(input.values(), scheme.dynamic_range, scheme.dynamic_rounding);
  fake_quantize(fake_input.values(), grid);
}

void fake_quantize_output(Tensor& output, const QuantScheme& scheme) {
  if (scheme.is_static()) fake_quantize(output.values(), scheme.fixed->output);
}

nlohmann::json scheme_config(const QuantScheme& scheme) {
  if (!scheme.is_static()) {
    return {{"scheme", "dynamic"}, {"range", dynamic_range_name(scheme.dynamic_range)}};
  }
  return {{"scheme", "static"},
          {"input", to_json(scheme.fixed->input)},
          {"output", to_json(scheme.fixed->output)},
          {"fused_relu", scheme.fixed->fused_relu}};
}

QuantizedLinear::QuantizedLinear(std::shared_ptr<const QuantizedWeight> weight,
                                 std::vector<float> bias, QuantScheme scheme)
    : weight_(std::move(weight)),
      bias_(std::move(bias)),
      scheme_(std::move(scheme)),
      simulated_(weight_->cols(), weight_->rows(), !bias_.empty()) {
  check_bias_size(*weight_, bias_);
  const std::vector<float> dequantized = weight_->dequantize();
  std::copy(dequantized.begin(), dequantized.end(), simulated_.weight().value.data());
  if (!bias_.empty()) {
    const std::vector<float> effective = simulated_bias(*weight_, bias_, scheme_);
    std::copy(effective.begin(), effective.end(), simulated_.bias().value.data());
  }
  weight_parameter_.value = simulated_.weight().value;
  weight_parameter_.storage = weight_;
  if (!bias_.empty()) bias_parameter_.value = Tensor({out_features()}, bias_);
}

nlohmann::json QuantizedLinear::config() const {
  nlohmann::json config = {{"in_features", in_features()},
                           {"out_features", out_features()},
                           {"bias", !bias_.empty()},
                           {"weight", weight_->describe()}};
  config.update(scheme_config(scheme_));
  return config;
}

void QuantizedLinear::set_weight_mask(Tensor mask) {
  if (mask.shape() != weight_parameter_.value.shape()) {
    throw std::invalid_argument("qlinear: the weight mask's shape differs from the weight's");
  }
  require_zero_where_pruned(*weight_, mask);
  weight_parameter_.mask = std::move(mask);
}

std::vector<Named<Parameter>> QuantizedLinear::parameters() {
  std::vector<Named<Parameter>> out = {{"weight", &weight_parameter_}};
  if (!bias_.empty()) out.emplace_back("bias", &bias_parameter_);
  return out;
}

Shape QuantizedLinear::unary_output_shape(const Shape& input) const {
  const Shape shapes[1] = {input};
  return simulated_.output_shape(shapes);
}

void QuantizedLinear::unary_forward(const Tensor& input, Tensor& output,
                                    const ForwardContext& context) {
  fake_quantize_input(input, scheme_, fake_input_);
  const Tensor* inputs[1] = {&fake_input_};
  simulated_.forward(inputs, output, context);
  fake_quantize_output(output, scheme_);
}

void QuantizedLinear::unary_backward(const Tensor&, Tensor*) {
  throw std::logic_error("qlinear is an inference layer: QAT trains fake-quant layers instead");
}

int64_t QuantizedLinear::unary_macs(const Shape& input) const {
  const Shape shapes[1] = {input};
  return simulated_.macs(shapes);
}

}  // namespace slim
