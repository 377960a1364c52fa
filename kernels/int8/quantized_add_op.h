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
//
// add_reference is that formula element by element; add_avx512 computes it in 64-bit lanes,
// 8 codes per step, and must equal it bit for bit (tests/quant/int8_elementwise_test.cpp,
// on every pair of codes). run() takes the AVX-512 one where the CPU has AVX-512 F/DQ/BW/VL:
// element by element, qadd took about 40% of resnet-8's int8 inference (Zen 5, batch 1:
// 96 us with it, 54 us with add_avx512).
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

  // y[i] for codes a[i] on the first input's grid and b[i] on the second's, i < n.
  void add_reference(const int8_t* a, const int8_t* b, int64_t n, int8_t* y) const;
  void add_avx512(const int8_t* a, const int8_t* b, int64_t n, int8_t* y) const;

 private:
  ActivationQuant lhs_;
  ActivationQuant rhs_;
  ActivationQuant output_;
  int64_t lhs_multiplier_ = 0;
  int64_t rhs_multiplier_ = 0;
  int shift_ = 0;
};

}  // namespace slim
