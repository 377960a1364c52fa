// QuantizedConv2d ("qconv2d"): Conv2d under the static or dynamic scheme of
// core/quant/quantized_linear.h. The weight is [out_channels, in_channels*k*k] in
// PyTorch's order. Zero padding is the real value 0, i.e. the input's zero point in
// the integer path.
#pragma once

#include <memory>
#include <vector>

#include "core/layers/conv2d.h"
#include "core/quant/quantized_linear.h"

namespace slim {

class QuantizedConv2d final : public UnaryLayer {
 public:
  QuantizedConv2d(const Conv2dOptions& options, std::shared_ptr<const QuantizedWeight> weight,
                  std::vector<float> bias, QuantScheme scheme);

  std::string kind() const override { return "qconv2d"; }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<QuantizedConv2d>(*this); }
  std::vector<Named<Parameter>> parameters() override;
  // Carries the pruning mask of the FP32 weight this layer was quantized from, so that size
  // accounting stores only the kept codes. Throws std::invalid_argument unless the mask has
  // the weight's shape and every pruned code is its zero point (decodes to exactly 0).
  void set_weight_mask(Tensor mask);

  const Conv2dOptions& options() const { return options_; }
  const QuantizedWeight& weight() const { return *weight_; }
  const std::vector<float>& bias() const { return bias_; }
  const QuantScheme& scheme() const { return scheme_; }

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;
  int64_t unary_macs(const Shape& input) const override;

 private:
  Conv2dOptions options_;
  std::shared_ptr<const QuantizedWeight> weight_;
  std::vector<float> bias_;
  QuantScheme scheme_;
  Conv2d simulated_;
  Parameter weight_parameter_;
  Parameter bias_parameter_;
  Tensor fake_input_;
};

}  // namespace slim
