// weight_only: symmetric (abs_max, non-saturating) weight quantization of every Linear
// and Conv2d weight, per tensor or per output channel, at 2..8 bits.
//
// Weights are stored as packed codes plus one FP32 scale per tensor or channel; biases
// stay FP32. Execution dequantizes at load time (w = q * S) and runs the FP32 kernels,
// which is what weight-only deployment does: the model gets smaller, not faster. The
// quantization issue adds activation quantization and integer kernels on top.
//
// A pruned weight keeps its mask: it is 0.0, so its code is 0 and it decodes to 0.0 again,
// and size accounting stores the kept codes sparsely (core/model_size.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/layer.h"
#include "methods/method.h"

namespace slim {

Method weight_only_quantization_method();

// The encoded form of one weight tensor; `value` of its Parameter holds decode().
class SymmetricQuantizedWeight final : public ParameterStorage {
 public:
  // `channels` = 1 for per-tensor scaling, else the size of dimension 0.
  SymmetricQuantizedWeight(std::span<const float> weights, int64_t channels, int bits);

  int64_t stored_bytes() const override;
  nlohmann::json describe() const override;
  int value_bits() const override { return bits_; }
  int64_t metadata_bytes() const override;  // the FP32 scales
  // q * S for every element, in the original order.
  std::vector<float> decode() const;
  std::span<const float> scales() const { return scales_; }
  int bits() const { return bits_; }

 private:
  int bits_;
  int64_t count_;
  std::vector<float> scales_;
  std::vector<uint8_t> packed_codes_;
};

}  // namespace slim
