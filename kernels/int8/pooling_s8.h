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

#include "core/layers/pooling.h"
#include "kernels/int8/int8_tensor.h"

namespace slim {

void maxpool2d_s8(const PoolOptions& options, const Int8Tensor& input, Int8Tensor& output);
// [N, C, H, W] -> [N, C].
void global_avgpool_s8(const Int8Tensor& input, Int8Tensor& output);

}  // namespace slim
