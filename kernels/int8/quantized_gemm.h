// QuantizedGemm: the integer core shared by qlinear and qconv2d. For activation rows
// [R, K] of int8 codes on a grid with zero point Z_x and the quantized weight [O, K], it
// produces, for every weight group g (groups_per_row() of them, 1 unless per-group),
//   acc_g[r, o] = sum_{k in g} (q_x[r, k] - Z_x)(q_w[o, k] - Z_w[o, g])     (int32)
//
// The zero points are expanded Jacob-style around the raw int8 GEMM (gemm_s8.h):
//   acc_g = sum q_x q_w - Z_w * sum q_x - Z_x * sum q_w + L_g * Z_x * Z_w,
// where sum q_w (per output and group) is precomputed here, once, and sum q_x is one
// pass over the rows per run. Each group's weight columns are packed at construction
// into the GEMM variant's layout (gemm_s8_kernel.h), and with several groups the
// activation columns of a group are gathered into a dense [R, L_g] copy per run.
//
// K is at most kMaxQuantizedDepth = 2^15: then |acc_g| < 2^31 even with both zero
// points at the far end of the int8 range (255 * 255 * 2^15 < 2^31), and per-group
// requantization's int64 sum cannot overflow (requantize.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/quant/quantized_weight.h"
#include "kernels/int8/gemm_s8_kernel.h"

namespace slim {

inline constexpr int64_t kMaxQuantizedDepth = int64_t{1} << 15;

class QuantizedGemm {
 public:
  // Whether `gemm` can run this per-group weight's product with the output stage fused
  // (GemmS8Kernel::multiply_grouped_requantize): several groups of whole quads of codes,
  // symmetric (the zero-point terms then fold into the constants).
  static bool can_fuse_groups(const QuantizedWeight& weight, const GemmS8Kernel& gemm);

  // Throws std::invalid_argument when weight.cols() > kMaxQuantizedDepth.
  // `gemm` must outlive this object (the variants live in gemm_s8_kernels()).
  // fuse_groups (where can_fuse_groups): the weights are packed once over all of K for
  // multiply_grouped_requantize, instead of once per group for accumulate().
  QuantizedGemm(const QuantizedWeight& weight, const GemmS8Kernel& gemm, bool fuse_groups = false);

  int64_t out_channels() const { return out_channels_; }
  int64_t depth() const { return depth_; }
  int64_t groups() const { return static_cast<int64_t>(blocks_.size()); }
  // Whether every weight zero point is 0.
  bool symmetric_weights() const;
  // sum_{k in g} q_w[o, k], laid out [G][O].
  std::vector<int32_t> weight_sums_by_group() const;

  // rows: [row_count, depth()] codes whose real zero is input_zero_point. Overwrites the
  // accumulators: group g's [row_count, out_channels()] start at accumulators() +
  // g * group_stride().
  void accumulate(const int8_t* rows, int64_t row_count, int32_t input_zero_point);
  const int32_t* accumulators() const { return accumulators_.data(); }
  int64_t group_stride() const { return row_count_ * out_channels_; }

  // With one group and every Z_w = 0, acc = sum q_x q_w - Z_x sum q_w: the zero-point term
  // is one constant per output, which folds into the biases of the output stage `r`, so
  // that the GEMM variant can requantize as it stores (multiply_requantize below). Empty
  // for other weights (per-group, or zero points that bring a per-row term).
  std::optional<RowRequantization> folded_requantization(const RowRequantization& r,
                                                         int32_t input_zero_point) const;
  // rows: [row_count, depth()] codes -> out [row_count, out_channels()] codes, the output
  // stage `folded` (from folded_requantization) applied to each accumulator.
  void multiply_requantize(const int8_t* rows, int64_t row_count, const RowRequantization& folded,
                           int8_t* out) const;
  // Constructed with fuse_groups: rows [row_count, depth()] codes -> out [row_count,
  // out_channels()] codes through the per-group output stage `stage` (the input zero point
  // folded into its biases).
  void multiply_grouped_requantize(const int8_t* rows, int64_t row_count,
                                   const GroupedColumnRequantization& stage, int8_t* out) const;

 private:
  struct GroupBlock {
    int64_t first_column;
    int64_t length;                           // L_g
    PackedS8Weights weights;                  // [O, L_g] codes, packed for gemm_ (not fused)
    std::vector<int32_t> sums;                // [O], sum of the group's weight codes
    std::vector<int32_t> weight_zero_points;  // [O], Z_w[o, g]
    bool any_weight_zero_point = false;
  };

  GroupBlock make_block(const QuantizedWeight& weight, int64_t group, bool pack) const;
  PackedS8Weights pack_weights(const QuantizedWeight& weight, int64_t length,
                               const int8_t* columns) const;
  const int8_t* group_rows(const int8_t* rows, const GroupBlock& block);
  void sum_rows(const int8_t* rows, int64_t length);
  void expand_zero_points(const GroupBlock& block, int32_t input_zero_point, const int8_t* rows,
                          int32_t* acc);

  const GemmS8Kernel* gemm_;
  int64_t out_channels_;
  int64_t depth_;
  std::vector<GroupBlock> blocks_;
  std::optional<PackedS8Weights> fused_weights_;  // [O, K], with fuse_groups
  // Per-run scratch, grown on first use and then reused.
  int64_t row_count_ = 0;
  std::vector<int8_t> packed_rows_;     // [R, L_g] when there are several groups
  std::vector<int32_t> row_sums_;       // [R], sum of one group's activation codes per row
  std::vector<int32_t> accumulators_;   // [G][R][O]
  std::vector<uint32_t> weight_terms_;  // [O], Z_x (L Z_w - sum q_w) wrapped to 32 bits
};

}  // namespace slim
