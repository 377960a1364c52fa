#include "methods/quantization/weight_only.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "core/quant/packed_codes.h"

namespace slim {
namespace {

// Narrow symmetric range [-(2^(b-1)-1), 2^(b-1)-1]: zero is exact and the range is
// symmetric, so the scale maps abs_max to the largest code without clipping.
int max_code(int bits) {
  return (1 << (bits - 1)) - 1;
}

float abs_max(std::span<const float> values) {
  float m = 0.0f;
  for (float v : values) m = std::max(m, std::fabs(v));
  return m;
}

// Round half to even (std::nearbyint under the default FE_TONEAREST mode): unbiased on
// ties, and what PyTorch's and NumPy's round() do.
int8_t quantize_value(float value, float scale, int bits) {
  const float q = std::nearbyint(value / scale);
  const auto limit = static_cast<float>(max_code(bits));
  return static_cast<int8_t>(std::clamp(q, -limit, limit));
}

bool is_quantizable_weight(const Layer& layer, const std::string& local_name) {
  return (layer.kind() == "linear" || layer.kind() == "conv2d") && local_name == "weight";
}

void quantize_parameter(Parameter& parameter, bool per_channel, int bits) {
  const int64_t channels = per_channel ? parameter.value.shape()[0] : 1;
  auto storage = std::make_shared<SymmetricQuantizedWeight>(std::as_const(parameter.value).values(),
                                                            channels, bits);
  const std::vector<float> decoded = storage->decode();
  std::copy(decoded.begin(), decoded.end(), parameter.value.data());
  parameter.storage = std::move(storage);
}

void apply_weight_only(Model& model, const nlohmann::json& params, MethodContext&) {
  const int bits = params.at("bits").get<int>();
  const bool per_channel = params.at("granularity").get<std::string>() == "per_channel";
  for (const Node& node : model.nodes()) {
    for (auto& [local_name, parameter] : node.layer->parameters()) {
      if (is_quantizable_weight(*node.layer, local_name)) {
        quantize_parameter(*parameter, per_channel, bits);
      }
    }
  }
}

}  // namespace

SymmetricQuantizedWeight::SymmetricQuantizedWeight(std::span<const float> weights, int64_t channels,
                                                   int bits)
    : bits_(bits), count_(static_cast<int64_t>(weights.size())) {
  const int64_t per_channel = count_ / channels;
  std::vector<int8_t> codes(weights.size());
  scales_.resize(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    const auto slice =
        weights.subspan(static_cast<size_t>(c * per_channel), static_cast<size_t>(per_channel));
    const float m = abs_max(slice);
    // An all-zero channel has no range to map; any positive scale encodes it as zeros.
    const float scale = m > 0.0f ? m / static_cast<float>(max_code(bits)) : 1.0f;
    scales_[c] = scale;
    for (int64_t i = 0; i < per_channel; ++i) {
      codes[c * per_channel + i] = quantize_value(slice[i], scale, bits);
    }
  }
  packed_codes_ = pack_codes(codes, bits);
}

int64_t SymmetricQuantizedWeight::metadata_bytes() const {
  return static_cast<int64_t>(scales_.size() * sizeof(float));
}

int64_t SymmetricQuantizedWeight::stored_bytes() const {
  return static_cast<int64_t>(packed_codes_.size()) + metadata_bytes();
}

nlohmann::json SymmetricQuantizedWeight::describe() const {
  return {{"format", "int" + std::to_string(bits_) + "-symmetric"},
          {"scales", scales_.size()},
          {"bytes", stored_bytes()}};
}

std::vector<float> SymmetricQuantizedWeight::decode() const {
  const std::vector<int8_t> codes = unpack_codes(packed_codes_, bits_, count_);
  const int64_t per_channel = count_ / static_cast<int64_t>(scales_.size());
  std::vector<float> values(codes.size());
  for (int64_t i = 0; i < count_; ++i) {
    values[i] = static_cast<float>(codes[i]) * scales_[i / per_channel];
  }
  return values;
}

Method weight_only_quantization_method() {
  return Method{
      .name = "weight_only",
      .family = MethodFamily::kQuantization,
      .description = "symmetric abs_max weight quantization of linear/conv weights; FP32 compute",
      .params =
          {
              int_param("bits", 8, 2, 8, "weight bit width (codes are packed)"),
              choice_param("granularity", "per_tensor", {"per_tensor", "per_channel"},
                           "one scale per tensor or per output channel"),
          },
      .apply = apply_weight_only,
  };
}

}  // namespace slim
