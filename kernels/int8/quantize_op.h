// The "quantize" layer's integer forms (core/quant/quantize_layer.h).
//
// QuantizeOp maps FP32 onto an int8 grid with quantize_activation(), the very function
// the FP32 simulation's fake quantization uses, so the codes are identical to the
// simulation's. RequantizeOp moves int8 codes from one grid to another:
//   y = clamp(Z_out + round(M * (q - Z_in)), qmin, qmax),  M = S_in / S_out,
// with M as a 31-bit integer m and a shift s (common_shift.h) and one rounding, half away
// from zero: y = Z_out + rounding_divide_by_pot_int64(m * (q - Z_in), s). The 32-bit
// FixedPointMultiplier path would round twice (after the high multiply and after the
// shift), which on an input as small as q - Z_in (at most 255) is off by one for about a
// quarter of the codes. Equal scales and zero points make it a clamp (the simulation
// then rounds each real back onto its own code). There are only 256 input codes, so the
// map is tabulated once at construction.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/quant/activation_quant.h"
#include "core/tensor.h"
#include "kernels/int8/int8_tensor.h"

namespace slim {

// codes[i] = quantize_activation(values[i], quant); the spans have equal sizes.
// The AVX-512 variant, for grids that round half to even only, takes the same float steps
// 16 at a time (x * (1/S), nearbyint in the current rounding mode, + Z, clamp that keeps
// NaN, truncating conversions), so it equals the reference for every float, NaN and
// infinities included (tests/quant/int8_elementwise_test.cpp). quantize_values() picks it
// where it applies.
void quantize_values_reference(std::span<const float> values, const ActivationQuant& quant,
                               std::span<int8_t> codes);
void quantize_values_avx512(std::span<const float> values, const ActivationQuant& quant,
                            std::span<int8_t> codes);
void quantize_values(std::span<const float> values, const ActivationQuant& quant,
                     std::span<int8_t> codes);

class QuantizeOp {
 public:
  explicit QuantizeOp(const ActivationQuant& quant) : quant_(quant) {}
  void run(const Tensor& input, Int8Tensor& output) const;

 private:
  ActivationQuant quant_;
};

class RequantizeOp {
 public:
  RequantizeOp(const ActivationQuant& input, const ActivationQuant& output);
  // Throws std::logic_error when the input's codes do not fit the grid given at
  // construction (grid_check.h).
  void run(const Int8Tensor& input, Int8Tensor& output) const;

 private:
  ActivationQuant input_;
  ActivationQuant output_;
  std::array<int8_t, 256> table_{};  // indexed by input code + 128
};

}  // namespace slim
