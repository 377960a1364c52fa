// The "dequantize" layer's integer form: int8 codes to FP32 reals, (q - Z) * S in float,
// the expression the simulation's fake quantization ends with, so the two agree exactly
// wherever their codes do. The grid is the one the codes carry.
#pragma once

#include "core/tensor.h"
#include "kernels/int8/int8_tensor.h"

namespace slim {

void dequantize(const Int8Tensor& input, Tensor& output);

}  // namespace slim
