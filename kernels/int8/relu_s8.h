// ReLU over int8 codes.
//
// ReLU is max(q, Z): real 0 is the code Z, so clamping below it is exactly the FP32
// max(x, 0) of the simulation. The output grid is the input's with_relu(): the same scale
// and zero point with qmin raised to Z, which is both true of the codes and the grid the
// static graph rewrite gives a reader of an unfused ReLU.
#pragma once

#include "kernels/int8/int8_tensor.h"

namespace slim {

void relu_s8(const Int8Tensor& input, Int8Tensor& output);

}  // namespace slim
