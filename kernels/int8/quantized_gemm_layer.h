// QuantizedGemmLayer: QuantizedGemm plus the output stage of a qlinear/qconv2d layer,
// writing each output element where its layer wants it.
//
// Rows of the GEMM are (image, pixel) pairs, `pixels` consecutive rows per image (one for
// linear, OH*OW for conv); output (row, o) goes to [image, o, pixel], i.e. [N, O] for
// linear and NCHW for conv, with no separate transpose pass.
//
//  * static: int8 codes on the scheme's output grid (requantize.h); Linear layers with
//    symmetric per-tensor or per-channel weights requantize inside the GEMM
//    (GemmS8Kernel::multiply_requantize), never writing the int32 accumulators, and so
//    do Linear layers with symmetric per-group weights in groups of whole quads where the
//    variant has the fused per-group stage (multiply_grouped_requantize);
//  * dynamic: FP32 y = S_x * sum_g S_w[o, g] * acc_g + b_o, on the batch's input grid
//    (S_x, Z_x). The zero points are already exact in acc_g, so the only rounding left
//    is the FP32 result's; the sum over groups is formed in double.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/quant/quantized_linear.h"
#include "core/quant/quantized_weight.h"
#include "kernels/int8/quantized_gemm.h"
#include "kernels/int8/requantize.h"

namespace slim {

class QuantizedGemmLayer {
 public:
  // `linear`: rows and outputs are both [N, O] (pixels == 1 in every run), which lets a
  // static per-group layer take the fused per-group product.
  QuantizedGemmLayer(const QuantizedWeight& weight, const std::vector<float>& bias,
                     const QuantScheme& scheme, const GemmS8Kernel& gemm, bool linear = false);

  // Whether run_static runs the fused per-group product (for tests and records).
  bool fuses_groups() const { return grouped_.has_value(); }

  int64_t out_channels() const { return gemm_.out_channels(); }
  int64_t depth() const { return gemm_.depth(); }

  // Static scheme only: rows on the scheme's input grid -> int8 codes.
  void run_static(const int8_t* rows, int64_t row_count, int64_t pixels, int8_t* out);
  // Dynamic scheme only: rows on `input_grid` (this batch's) -> FP32.
  void run_dynamic(const int8_t* rows, int64_t row_count, int64_t pixels,
                   const ActivationQuant& input_grid, float* out);

 private:
  QuantizedGemm gemm_;
  // Static scheme. With per-group symmetric weights, the input zero point's term is folded
  // into its constants (with_input_zero_point_folded), and the GEMM leaves it out.
  std::optional<StaticRequantizer> requantizer_;
  // Static, one group, symmetric weights: the output stage with the zero-point term folded
  // in, which the GEMM variant applies as it stores (Linear layers).
  std::optional<RowRequantization> folded_;
  // Static Linear, per-group symmetric weights the variant can fuse: the per-group output
  // stage, input zero point folded in, which the GEMM applies as it stores.
  std::optional<GroupedColumnRequantization> grouped_;
  int32_t accumulated_zero_point_ = 0;  // static: the Z_x the GEMM expands (0 when folded)
  std::vector<double> weight_scales_;   // [O][G], dynamic scheme
  std::vector<double> bias_;            // [O], dynamic scheme (zeros if none)
  std::vector<int8_t> codes_;           // [O], one pixel's codes (static conv)
};

}  // namespace slim
