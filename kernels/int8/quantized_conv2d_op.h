// QuantizedConv2dOp: a qconv2d layer (core/quant/quantized_conv2d.h) as integer code.
//
// Two paths. im2row over the int8 input (padding with the input's zero point,
// im2row_s8.h) and one QuantizedGemmLayer over the N*OH*OW rows, written straight to
// NCHW; the static path takes the batch a few images at a time, so its intermediates stay
// in cache. Or, for a static layer where direct_conv_unused_reason() is empty and the
// geometry allows it, the direct VNNI convolution (conv2d_s8_vnni.h), which gives the
// same codes. Static scheme: int8 -> int8 on the scheme's grids. Dynamic scheme: the
// FP32 input is quantized on the grid of the whole batch first, and the output is FP32.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/layers/im2col.h"
#include "core/quant/quantized_conv2d.h"
#include "core/tensor.h"
#include "kernels/int8/conv2d_s8_vnni.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "kernels/int8/int8_tensor.h"
#include "kernels/int8/quantized_gemm_layer.h"

namespace slim {

// Empty when a static convolution with `weight` takes the direct VNNI path with `gemm` as
// the selected int8 GEMM, otherwise why it takes the im2row path. The direct path goes
// with the avx512_vnni and amx GEMMs (on AMX CPUs it was the faster for every zoo
// convolution), not with a forced avx2 or scalar. SLIMBENCH_INT8_CONV=im2row forces the
// im2row path (for A/B comparisons; "auto", the default, lets this choose); another value
// is a UserError.
std::string direct_conv_unused_reason(const QuantizedWeight& weight, const QuantScheme& scheme,
                                      const GemmS8Kernel& gemm);
// One line for result records: how the int8 backend runs static convolutions here.
std::string int8_conv_path_description(const GemmS8Kernel& gemm);

// kAuto: the direct path where direct_conv_unused_reason() allows it; kIm2row: never
// (benchmarks and tests compare the two with the same GEMM variant).
enum class ConvPath { kAuto, kIm2row };

// What the static path's run() applies after the convolution, as the int8 executor fuses
// a ReLU and a 2x2, stride-2, unpadded max pool that alone read it: the codes are those of
// relu_s8 and maxpool2d_s8 on the unfused output, bit for bit. The direct path folds the
// ReLU into its clamp and, where the pool-window pixel order fits vpermi2b's reach
// (pixel_quads.h; not for strided layers), pools the accumulators before requantizing
// (conv2d_s8_vnni.h). Otherwise the pool, and on the im2row path the ReLU, run as those
// kernels after the convolution.
struct ConvFusion {
  bool relu = false;
  bool max_pool_2x2 = false;
};

class QuantizedConv2dOp {
 public:
  QuantizedConv2dOp(const QuantizedConv2d& layer, const GemmS8Kernel& gemm,
                    ConvPath path = ConvPath::kAuto, ConvFusion fusion = {});

  const QuantScheme& scheme() const { return scheme_; }
  // The static output's grid: the scheme's, with qmin raised to Z under a fused ReLU.
  ActivationQuant output_grid() const;
  // Whether the static path runs an input of this shape directly (conv2d_s8_vnni.h).
  bool runs_direct(const Shape& input) const;
  // Whether the fused pool runs inside the direct kernel for an input of this shape.
  bool pools_in_direct_kernel(const Shape& input) const;
  // Static scheme. Throws std::logic_error when the input's grid is not the scheme's.
  void run(const Int8Tensor& input, Int8Tensor& output);
  // Dynamic scheme.
  void run(const Tensor& input, Tensor& output);

 private:
  ConvGeometry geometry(const Shape& input) const;
  static int64_t images_per_pass(int64_t pixels);
  std::unique_ptr<DirectConvS8Vnni> make_direct(const QuantizedWeight& weight,
                                                const StaticRequantizer& requantizer,
                                                bool pool_2x2) const;
  // The static convolution with the fused ReLU, without the fused pool.
  void run_convolution(const ConvGeometry& g, const Int8Tensor& input, Int8Tensor& output);
  // The im2row path alone, on the scheme's output grid.
  void run_im2row(const ConvGeometry& g, const Int8Tensor& input, Int8Tensor& output);
  // im2row of `image` into rows_, padding with the code of real 0.
  void build_rows(const ConvGeometry& g, const int8_t* image, int32_t zero_point);

  Conv2dOptions options_;
  QuantScheme scheme_;
  ConvFusion fusion_;
  QuantizedGemmLayer gemm_;
  std::unique_ptr<DirectConvS8Vnni> direct_;          // null: the im2row path
  std::unique_ptr<DirectConvS8Vnni> pooling_direct_;  // with the fused pool, or null
  std::vector<int8_t> rows_;                          // [N*OH*OW, C*K*K]
  std::vector<int8_t> dynamic_codes_;     // the FP32 input quantized on its batch's grid
  Int8Tensor before_relu_, before_pool_;  // where a fused ReLU or pool runs on its own
};

}  // namespace slim
