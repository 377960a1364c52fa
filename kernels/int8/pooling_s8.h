// Pooling over int8 NCHW codes; the output stays on the input's grid.
//
// Max pooling commutes with the monotone map q -> (q - Z) * S, so the integer maximum is
// exactly the simulation's (padding never wins, as with its -infinity padding).
// Global average pooling takes the integer mean of (q - Z) over each plane, rounded half
// away from zero, on the SAME grid: the static graph follows it with a "quantize" onto
// that grid, which the integer path then copies (core/quant/quantize_layer.h). The
// simulation rounds its FP32 mean there with the grid's rounding mode, so the two can
// differ by one code on an exact tie.
#pragma once

#include <cstdint>

#include "core/layers/pooling.h"
#include "kernels/int8/int8_tensor.h"

namespace slim {

void maxpool2d_s8(const PoolOptions& options, const Int8Tensor& input, Int8Tensor& output);

// The common 2x2, stride-2, unpadded window (LeNet) on one plane whose rows are `width`
// codes apart (width >= 2 * out_w, 2 * out_h rows): a plain reference and an AVX-512
// variant that must equal it (tests/quant/int8_elementwise_test.cpp); maxpool2d_s8 uses
// the variant where the CPU has AVX-512 F/DQ/BW/VL.
void maxpool_2x2_plane_reference(const int8_t* x, int64_t width, int64_t out_h, int64_t out_w,
                                 int8_t* y);
void maxpool_2x2_plane_avx512(const int8_t* x, int64_t width, int64_t out_h, int64_t out_w,
                              int8_t* y);
// [N, C, H, W] -> [N, C].
void global_avgpool_s8(const Int8Tensor& input, Int8Tensor& output);

}  // namespace slim
