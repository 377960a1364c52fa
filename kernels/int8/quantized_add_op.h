// QuantizedAddOp: a qadd layer (core/quant/quantized_add.h) as integer code.
//
//   y = clamp(Z_y + round(M_a (q_a - Z_a) + M_b (q_b - Z_b)), qmin, qmax),
//   M_a = S_a / S_y,  M_b = S_b / S_y,
// with M_a and M_b as 31-bit multipliers sharing one shift s (common_shift.h): the sum
//   T = m_a (q_a - Z_a) + m_b (q_b - Z_b)
// is exact in int64 and is rounded once, half away from zero, by the shift. TFLite
// instead shifts both inputs left by 20 bits and applies three 32-bit multipliers, with a
// rounding at each; on 64-bit integers one rounding is simpler and at least as close to
// the real sum (the error before the final rounding is below 256 * 2^-s, under 2^-21).
// The fused ReLU is the output grid's qmin.
#pragma once

#include <cstdint>

#include "core/quant/quantized_add.h"
#include "kernels/int8/int8_tensor.h"

namespace slim {

class QuantizedAddOp {
 public:
  explicit QuantizedAddOp(const QuantizedAdd& layer);
  // Throws std::logic_error when the shapes differ or an input's codes are not on the
  // layer's grid for it.
  void run(const Int8Tensor& lhs, const Int8Tensor& rhs, Int8Tensor& output) const;

 private:
  int8_t add(int8_t a, int8_t b) const;

  ActivationQuant lhs_;
  ActivationQuant rhs_;
  ActivationQuant output_;
  int64_t lhs_multiplier_ = 0;
  int64_t rhs_multiplier_ = 0;
  int shift_ = 0;
};

}  // namespace slim
