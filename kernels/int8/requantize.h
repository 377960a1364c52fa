// StaticRequantizer: the output stage of a static quantized GEMM layer, from the int32
// accumulators acc_g = sum_k (q_x - Z_x)(q_w - Z_w) of one output element to its int8
// code on the output grid (S_y, Z_y, [qmin, qmax], a fused ReLU already in qmin).
//
// One group per row (per-tensor, per-channel weights), REFERENCE.md's layer equation:
//   y = clamp(Z_y + round(M_o * (acc + bias_o)), qmin, qmax),
//   bias_o = integer_bias(b_o, S_x, S_w[o]),  M_o = S_x * S_w[o] / S_y,
// with M_o as a FixedPointMultiplier (kernels/int8/fixed_point.h: Q0.31 and a shift),
// applied with one rounding (multiply_by_quantized_multiplier_rounding_once) rather than
// gemmlowp's two: on a trained lenet-5 the two-rounding form put 0.07% (W8) to 1.1% (W4)
// of a layer's codes one away from the simulation's, the one-rounding form 0.0003%,
// which are exact ties.
//
// Several groups per row (per-group weights): each group has its own scale, so the
// accumulators cannot be summed before scaling. M_g = S_x * S_w[o, g] / S_y become 31-bit
// multipliers m_g sharing ONE shift s per row (kernels/int8/common_shift.h), and
//   T = sum_g m_g * acc_g + round(b_o / S_y * 2^s)      (exact in int64)
//   y = clamp(Z_y + round(T / 2^s), qmin, qmax)         (half away from zero)
// The FP32 bias is added at the output scale, as the simulation adds it (it keeps the
// bias unrounded when groups > 1: core/quant/quantized_linear.h, simulated_bias()).
#pragma once

#include <cstdint>
#include <vector>

#include "core/quant/quantized_linear.h"
#include "core/quant/quantized_weight.h"
#include "kernels/int8/fixed_point.h"
#include "kernels/int8/requantize_row.h"

namespace slim {

// A per-group layer's output stage as the formula above states it, for kernels that
// apply it themselves (the direct convolution, conv2d_s8_vnni.h).
struct GroupedRequantization {
  int64_t groups = 0;
  std::vector<int64_t> multipliers;    // [O][G], m_g
  std::vector<int32_t> shifts;         // [O], s
  std::vector<int64_t> scaled_biases;  // [O], round(b / S_y * 2^s)
  int32_t zero_point = 0;
  int32_t qmin = -128;
  int32_t qmax = 127;
};

class StaticRequantizer {
 public:
  // `bias` is empty or has weight.rows() entries.
  StaticRequantizer(const QuantizedWeight& weight, const std::vector<float>& bias,
                    const StaticScheme& scheme);

  // The code of one output element of channel `channel`, from its accumulators of every
  // group: group g's at group_accs[g * group_stride].
  // One group only: out[o] = requantize(o, acc[o]) for every channel o of one row, the
  // same arithmetic with the per-element checks hoisted to construction (hot loop).
  void requantize_row(const int32_t* acc, int8_t* out) const;
  // One group only: a convolution's [pixels x O] accumulators to one image's NCHW codes,
  // out[o * pixels + p] (requantize_columns in requantize_row.h).
  void requantize_columns(const int32_t* acc, int64_t pixels, int8_t* out) const;

  int8_t requantize(int64_t channel, const int32_t* group_accs, int64_t group_stride) const {
    return groups_ == 1 ? requantize_single(channel, group_accs[0])
                        : requantize_grouped(channel, group_accs, group_stride);
  }

  // Several groups: requantize(o, acc + o, group_stride) for every channel o of one output
  // row, into out[o]. The reference is that loop; the AVX-512 variant takes 8 channels per
  // step in 64-bit lanes and must equal it bit for bit (tests/quant/int8_gemm_layers_test.cpp).
  // The dispatching one takes the AVX-512 variant where the CPU has AVX-512 F/DQ/BW/VL:
  // channel by channel, this took a third of lenet-5's time with 4-bit per-group weights.
  void requantize_grouped_row(const int32_t* acc, int64_t group_stride, int8_t* out) const;
  void requantize_grouped_row_reference(const int32_t* acc, int64_t group_stride,
                                        int8_t* out) const;
  void requantize_grouped_row_avx512(const int32_t* acc, int64_t group_stride, int8_t* out) const;

  int64_t groups() const { return groups_; }
  const ActivationQuant& output() const { return output_; }
  // One group only: the per-channel constants requantize_row() applies.
  const RowRequantization& row_constants() const { return row_constants_; }
  // Several groups: the constants requantize_grouped_row() applies.
  GroupedRequantization grouped_constants() const;
  // Several groups, symmetric weights: the same output stage for accumulators that leave
  // out the input zero point's term -Z_x * sum_{k in g} q_w[o, k] (`weight_sums`, [G][O]),
  // which moves into each channel's constant, round(b / S_y * 2^s) - Z_x sum_g m_g sums_g.
  // The integers are the same (exact in int64), so the codes are too; the GEMM then skips
  // its zero-point pass.
  StaticRequantizer with_input_zero_point_folded(int32_t input_zero_point,
                                                 const std::vector<int32_t>& weight_sums) const;

 private:
  void build_single_group(const QuantizedWeight& weight, const std::vector<float>& bias,
                          const StaticScheme& scheme);
  void build_grouped(const QuantizedWeight& weight, const std::vector<float>& bias,
                     const StaticScheme& scheme);
  int8_t requantize_single(int64_t channel, int32_t acc) const;
  int8_t requantize_grouped(int64_t channel, const int32_t* group_accs, int64_t group_stride) const;
  int8_t clamp_to_output(int64_t code) const;

  ActivationQuant output_;
  int64_t groups_;
  // One group per row.
  RowRequantization row_constants_;  // bias, multiplier, exponent per channel
  // Several groups per row.
  int64_t channels_ = 0;
  // [G][O], m_g: a group's multipliers of consecutive channels are one vector load.
  std::vector<int64_t> group_multipliers_;
  std::vector<int32_t> channel_shifts_;  // [O], s
  std::vector<int64_t> scaled_biases_;   // [O], round(b / S_y * 2^s)
  int64_t& group_multiplier(int64_t channel, int64_t group) {
    return group_multipliers_[static_cast<size_t>(group * channels_ + channel)];
  }
  int64_t group_multiplier(int64_t channel, int64_t group) const {
    return group_multipliers_[static_cast<size_t>(group * channels_ + channel)];
  }
};

}  // namespace slim
