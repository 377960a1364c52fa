// QuantizedLinear ("qlinear") and the quantization scheme it shares with QuantizedConv2d.
//
// A quantized GEMM layer runs in one of two schemes:
//  * static: its input arrives on a fixed int8 grid (`input`), its output leaves on a
//    fixed int8 grid (`output`, already narrowed by a fused ReLU). Integer execution
//    computes acc = sum (q_x - Z_x)(q_w - Z_w) in int32, adds the bias as int32 at scale
//    S_x*S_w, and requantizes with M = S_x*S_w/S_y in fixed point (kernels/int8).
//  * dynamic: the input is FP32; each run picks the input grid from that batch
//    (abs_max or min_max over the whole batch), and the output is FP32.
//
// forward() is the FP32 simulation (fake quantization) of that integer computation: the
// weights are dequantized once; the input is fake-quantized on its grid; the product
// plus bias is computed in FP32 and, for the static scheme, fake-quantized onto the
// output grid. The integer path must agree with it (tests/quant). These layers are for
// inference: backward() throws, and their parameters carry a ParameterStorage so size
// accounting counts the integer encoding and training refuses them. A weight quantized from
// a pruned one carries its mask too (set_weight_mask), so only the kept codes are counted.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/layers/linear.h"
#include "core/quant/activation_quant.h"
#include "core/quant/quantized_weight.h"

namespace slim {

enum class DynamicRange { kAbsMax, kMinMax };

struct StaticScheme {
  ActivationQuant input;
  ActivationQuant output;  // with the fused ReLU's clamp applied, if any
  bool fused_relu = false;
};

struct QuantScheme {
  std::optional<StaticScheme> fixed;  // empty: dynamic
  DynamicRange dynamic_range = DynamicRange::kAbsMax;
  Rounding dynamic_rounding = Rounding::kHalfToEven;
  bool is_static() const { return fixed.has_value(); }
};

// The int8 grid a dynamic layer uses for one batch: abs_max -> symmetric, Z = 0;
// min_max -> affine over the batch's [min, max] widened to include 0. Signed 8-bit.
ActivationQuant dynamic_input_quant(std::span<const float> batch, DynamicRange range,
                                    Rounding rounding);

// The int32 bias the integer path adds for output channel `row` of a static layer with
// one group per row: round(b / (S_x * S_w[row])). Groups > 1 add the bias after
// combining groups (kernels/int8), so this is only defined for groups_per_row() == 1.
int32_t integer_bias(float bias, float input_scale, float weight_scale);

// The FP32 bias the integer path effectively adds: for a static layer with one group per
// row, integer_bias * S_x * S_w; otherwise the bias itself.
std::vector<float> simulated_bias(const QuantizedWeight& weight, const std::vector<float>& bias,
                                  const QuantScheme& scheme);

// Fake-quantizes `input` into `fake_input` on the scheme's input grid (the batch's own grid
// when dynamic): the part of forward() both quantized GEMM layers share.
void fake_quantize_input(const Tensor& input, const QuantScheme& scheme, Tensor& fake_input);
// The static scheme's output rounding; a no-op for dynamic layers (FP32 output).
void fake_quantize_output(Tensor& output, const QuantScheme& scheme);
// The scheme as config JSON (static grids, or the dynamic range rule).
nlohmann::json scheme_config(const QuantScheme& scheme);

class QuantizedLinear final : public UnaryLayer {
 public:
  // `weight` is [out_features, in_features]; `bias` is empty or has out_features entries.
  QuantizedLinear(std::shared_ptr<const QuantizedWeight> weight, std::vector<float> bias,
                  QuantScheme scheme);

  std::string kind() const override { return "qlinear"; }
  nlohmann::json config() const override;
  std::unique_ptr<Layer> clone() const override { return std::make_unique<QuantizedLinear>(*this); }
  std::vector<Named<Parameter>> parameters() override;
  // Carries the pruning mask of the FP32 weight this layer was quantized from, so that size
  // accounting stores only the kept codes. Throws std::invalid_argument unless the mask has
  // the weight's shape and every pruned code is its zero point (decodes to exactly 0).
  void set_weight_mask(Tensor mask);

  int64_t in_features() const { return weight_->cols(); }
  int64_t out_features() const { return weight_->rows(); }
  const QuantizedWeight& weight() const { return *weight_; }
  const std::vector<float>& bias() const { return bias_; }  // FP32, as trained/folded
  const QuantScheme& scheme() const { return scheme_; }

 protected:
  Shape unary_output_shape(const Shape& input) const override;
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext& context) override;
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override;
  int64_t unary_macs(const Shape& input) const override;

 private:
  std::shared_ptr<const QuantizedWeight> weight_;
  std::vector<float> bias_;
  QuantScheme scheme_;
  Linear simulated_;  // dequantized weights and the bias the integer path effectively adds
  Parameter weight_parameter_;
  Parameter bias_parameter_;
  Tensor fake_input_;
};

}  // namespace slim
