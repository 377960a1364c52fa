#include "core/quant/quantized_conv2d.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace slim {
namespace {

Conv2dOptions checked_options(const Conv2dOptions& options, const QuantizedWeight& weight) {
  const int64_t taps = options.in_channels * options.kernel_size * options.kernel_size;
  if (weight.rows() != options.out_channels || weight.cols() != taps) {
    throw std::invalid_argument(
        fmt::format("qconv2d: weight is [{}, {}], the options need [{}, {}]", weight.rows(),
                    weight.cols(), options.out_channels, taps));
  }
  return options;
}

}  // namespace

QuantizedConv2d::QuantizedConv2d(const Conv2dOptions& options,
                                 std::shared_ptr<const QuantizedWeight> weight,
                                 std::vector<float> bias, QuantScheme scheme)
    : options_(checked_options(options, *weight)),
      weight_(std::move(weight)),
      bias_(std::move(bias)),
      scheme_(std::move(scheme)),
      simulated_(Conv2dOptions{options.in_channels, options.out_channels, options.kernel_size,
                               options.stride, options.padding, !bias_.empty()}) {
  options_.bias = !bias_.empty();
  if (!bias_.empty() && static_cast<int64_t>(bias_.size()) != options_.out_channels) {
    throw std::invalid_argument("qconv2d: bias size differs from out_channels");
  }
  const std::vector<float> dequantized = weight_->dequantize();
  std::copy(dequantized.begin(), dequantized.end(), simulated_.weight().value.data());
  if (!bias_.empty()) {
    const std::vector<float> effective = simulated_bias(*weight_, bias_, scheme_);
    std::copy(effective.begin(), effective.end(), simulated_.bias().value.data());
  }
  weight_parameter_.value = simulated_.weight().value;
  weight_parameter_.storage = weight_;
  if (!bias_.empty()) bias_parameter_.value = Tensor({options_.out_channels}, bias_);
}

nlohmann::json QuantizedConv2d::config() const {
  nlohmann::json config = simulated_.config();
  config["weight"] = weight_->describe();
  config.update(scheme_config(scheme_));
  return config;
}

void QuantizedConv2d::set_weight_mask(Tensor mask) {
  if (mask.shape() != weight_parameter_.value.shape()) {
    throw std::invalid_argument("qconv2d: the weight mask's shape differs from the weight's");
  }
  require_zero_where_pruned(*weight_, mask);
  weight_parameter_.mask = std::move(mask);
}

std::vector<Named<Parameter>> QuantizedConv2d::parameters() {
  std::vector<Named<Parameter>> out = {{"weight", &weight_parameter_}};
  if (!bias_.empty()) out.emplace_back("bias", &bias_parameter_);
  return out;
}

Shape QuantizedConv2d::unary_output_shape(const Shape& input) const {
  const Shape shapes[1] = {input};
  return simulated_.output_shape(shapes);
}

void QuantizedConv2d::unary_forward(const Tensor& input, Tensor& output,
                                    const ForwardContext& context) {
  fake_quantize_input(input, scheme_, fake_input_);
  const Tensor* inputs[1] = {&fake_input_};
  simulated_.forward(inputs, output, context);
  fake_quantize_output(output, scheme_);
}

void QuantizedConv2d::unary_backward(const Tensor&, Tensor*) {
  throw std::logic_error("qconv2d is an inference layer: QAT trains fake-quant layers instead");
}

int64_t QuantizedConv2d::unary_macs(const Shape& input) const {
  const Shape shapes[1] = {input};
  return simulated_.macs(shapes);
}

}  // namespace slim
