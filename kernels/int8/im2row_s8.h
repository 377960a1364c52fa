// im2row over int8 codes: the patch matrix of a convolution, one row per output pixel.
//
// rows is [N*OH*OW, C*KH*KW] row-major: row (n, oh, ow) lists the codes that output
// pixel's kernel taps read, in PyTorch's weight order (c, kh, kw), so each row is
// K-contiguous like the weight rows [O, C*KH*KW] it is multiplied with (gemm_s8.h). This
// is the transpose of core/layers/im2col.h's layout. Taps in the padding read
// `padding_code`, the input's zero point: the code of real 0, which is what zero padding
// pads with in the FP32 simulation.
#pragma once

#include <cstdint>

#include "core/layers/im2col.h"

namespace slim {

void im2row_s8(const ConvGeometry& g, const int8_t* image, int8_t padding_code, int8_t* rows);

}  // namespace slim
