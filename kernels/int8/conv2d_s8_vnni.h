// DirectConvS8Vnni: a static int8 convolution on AVX-512 VNNI with output pixels in the
// vector lanes, requantized in registers and stored straight into NCHW.
//
// The im2row path (quantized_conv2d_op.h) multiplies one row per output pixel by the
// weights, [pixels x K] x [K x O], then reads its int32 [pixels x O] accumulators back
// to requantize and transpose them to NCHW. For the zoo's narrow convolutions (lenet-5:
// 20 and 50 output channels) that pads O to the GEMM micro-kernel's 32 columns, writes
// every pixel's taps with scalar moves, and makes the transpose a gather: together about
// half of lenet-5's int8 time at batch 256. Here the product is turned around,
//   out[o, pixel] = sum_k W[o, k] * x[k, pixel],
// with 16 pixels per vector (pixel_quads.h packs them) and each weight quad broadcast.
// A register tile of R output channels x V vectors of pixels (R in 4..6 to waste the
// fewest channels on padding, V up to 4: at most 24 accumulators) runs over all of K,
// then each of its rows is requantized (requantize_avx512.h) and its 16 codes stored in
// the channel's plane. Images are independent, so a batch is split across OpenMP threads
// by image; the result does not depend on their count.
//
// Exact, and equal bit for bit to the im2row path: vpdpbusd multiplies the unsigned
// shifted codes x + 128 by the signed weights without saturating, and with symmetric
// weights (zero point 0)
//   sum_k (x_k - Z_x) w_k + bias = raw - (128 + Z_x) sum_k w_k + bias,
// the last two terms one int64 constant per channel, added in 64-bit lanes before the
// same requantization arithmetic. raw <= K * 255 * 128 < 2^31 for K <= 2^15. Where the
// layer's constants allow it (multipliers below 1/2 and sums that fit int32, as trained
// layers have: narrow_requantization_applies), the output stage runs in 32-bit lanes
// instead, with the same codes: resnet-8's stem (K = 9) got 1.37x faster, deep layers 4-6%.
//
// A 2x2, stride-2 max pool that follows (with or without a ReLU between) can be fused
// in: the pixels are packed in pool window order (pixel_quads.h), a tile's V = 4 vectors
// are the four positions of 16 pooled pixels, and the tile takes the maximum of the four
// int32 accumulators before requantizing once. Requantization is non-decreasing in the
// accumulator (non-negative multipliers; rounding and clamping keep order), so this equals
// pooling the requantized codes bit for bit, with a quarter of the requantization and
// none of the unpooled plane's stores and reloads. A ReLU is the clamp at the zero
// point, which the caller folds into the constants' qmin.
//
// Per-group weights (groups of whole quads along K) run the same tile once per group: the
// group's int32 sums are scaled by its multiplier m_g into int64 totals,
//   T = sum_g m_g * raw_g + [round(b / S_y * 2^s) - (128 + Z_x) sum_g m_g sum_{k in g} w_k],
// and T is rounded once by the row's common shift (requantize.h's per-group formula, the
// im2row path's integers exactly). The pool then takes the maximum of the totals.
//
// Asymmetric weights (one group per row): with a weight zero point each output needs its
// pixel's sum of input codes S(p), which one more vpdpbusd per quad against weights of 1
// gives (sum_pixels, once per group of pixels for all channel blocks); the tile subtracts
// Z_w S(p) and adds a per-channel constant in wrapping int32 arithmetic (the constructor
// derives it), exact because the true sum fits int32.
//
// Used when the weights have one group per row (symmetric or not) or are symmetric in
// groups of a multiple of 4 codes, the CPU has AVX-512 F/BW/DQ/VL, VNNI and VBMI, and the
// packer supports the geometry; quantized_conv2d_op.h decides.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/aligned_allocator.h"
#include "core/layers/im2col.h"
#include "core/quant/quantized_weight.h"
#include "kernels/int8/pixel_quads.h"
#include "kernels/int8/requantize.h"
#include "kernels/int8/requantize_row.h"

namespace slim {

class DirectConvS8Vnni {
 public:
  // Empty when this CPU can run it, otherwise why not.
  static std::string cpu_unavailable_reason();
  // Empty when the weights allow it (one group per row, symmetric), otherwise why not.
  static std::string weight_unsupported_reason(const QuantizedWeight& weight);

  // `requantization` is the layer's StaticRequantizer's (one group per row); the input
  // codes' zero point is folded into the per-channel constants here.
  // `pool_2x2`: run() applies the fused 2x2, stride-2 max pool (needs non-negative
  // multipliers; a logic error otherwise).
  DirectConvS8Vnni(const QuantizedWeight& weight, const RowRequantization& requantization,
                   int32_t input_zero_point, bool pool_2x2 = false);
  // Per-group weights, with the layer's StaticRequantizer::grouped_constants().
  DirectConvS8Vnni(const QuantizedWeight& weight, const GroupedRequantization& requantization,
                   int32_t input_zero_point, bool pool_2x2 = false);

  // Empty when run() can take inputs of this geometry (batch ignored), otherwise why not.
  std::string geometry_unsupported_reason(const ConvGeometry& g);
  // input [N, C, H, W] codes on the layer's input grid -> output [N, O, OH, OW] codes, or
  // [N, O, OH / 2, OW / 2] with the fused pool.
  void run(const ConvGeometry& g, const int8_t* input, int8_t* output);

  int64_t tile_channels() const { return tile_channels_; }
  bool pools() const { return pool_2x2_; }
  // Whether the tiles requantize in 32-bit lanes (requantize_avx512.h), which these
  // constants allow, or in 64-bit lanes.
  bool narrow_output_stage() const { return narrow_output_stage_; }

 private:
  struct Scratch {
    AlignedBytes padded, packed;
  };

  const PixelQuadPacker& packer_for(const ConvGeometry& g);
  // What both public constructors share: the shapes, the tile height, the pool flag.
  DirectConvS8Vnni(const QuantizedWeight& weight, int32_t input_zero_point, bool pool_2x2);
  // Packs the weights into weights_; returns each row's sum of codes per group, [O][G].
  std::vector<int64_t> pack_weights(const QuantizedWeight& weight);
  PixelOrder pixel_order() const;
  void convolve_image(const uint8_t* packed, int64_t pixels, int8_t* out) const;

  int64_t out_channels_;
  int64_t depth_;  // K = C * KH * KW
  int64_t quads_;
  int64_t tile_channels_;  // R
  int8_t input_zero_point_;
  bool pool_2x2_;
  // [channel block][quad][R]: four weight codes per int32, 0 past K and past O.
  std::vector<int32_t, AlignedAllocator<int32_t, 64>> weights_;
  // [O], bias - (128 + Z_x) * sum_k w; per group, T's constant term above.
  std::vector<int64_t> biases_;
  RowRequantization requantization_;  // one group: multipliers, exponents, output clamp
  // One group: the 32-bit-lane output stage gives the same codes (requantize_row.h's
  // narrow_requantization_applies over biases_ and K).
  bool narrow_output_stage_ = false;
  // Asymmetric weights (one group per row).
  bool asymmetric_ = false;
  std::vector<int32_t> weight_zero_points_;   // [channel blocks * R], Z_w, 0 for padding
  std::vector<int32_t> expansion_constants_;  // [channel blocks * R], wrapped to int32
  std::vector<int32_t> ones_;                 // [quads], 4 weights of 1 (fewer past K)
  // Per group (weight_groups_ > 1).
  int64_t weight_groups_ = 1;
  int64_t group_quads_ = 0;                  // quads per group (the last may have fewer)
  std::vector<int64_t> group_multipliers_;   // [channel blocks * R][G], 0 for padding channels
  std::vector<int32_t> shifts_;              // [O], s
  std::unique_ptr<PixelQuadPacker> packer_;  // for the last geometry seen
  std::vector<Scratch> scratch_;             // per OpenMP thread
};

}  // namespace slim
