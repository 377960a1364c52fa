// Flatten over int8 codes: [N, d1, d2, ...] -> [N, d1*d2*...] in C order (the FP32
// layer's), codes copied unchanged on the input's grid.
#pragma once

#include "kernels/int8/int8_tensor.h"

namespace slim {

void flatten_s8(const Int8Tensor& input, Int8Tensor& output);

}  // namespace slim
