// The output stage of a convolution followed by a 2x2 max pool (Conv2dOp with a fused
// pool): one plane of the GEMM's product, plus the channel's bias, through the fused ReLU
// when there is one, max pooled 2x2 with stride 2, straight into the pooled output.
//
// The values are those of the unfused layers, bit for bit: each element is x + bias
// (bias 0.0f when the layer has none, which turns -0 into +0 as the unfused scatter
// does), then ReLU's `v < 0 ? 0 : v` (NaN stays NaN, -0 stays -0), then MaxPool2d's
// chain over the window's four values in row-major order, `best = v > best ? v : best`
// (ties and signed zeros keep the first, a NaN wins only as the first). The order of
// that chain matters for NaN: a NaN third value would stop a pairwise maximum from
// seeing the fourth.
//
// A plain reference, and AVX-512 and AVX2 variants that must equal it
// (tests/kernels/pooled_conv_output_test.cpp); bias_relu_max_pool_2x2 picks the widest
// one the CPU has. Writing the plane to NCHW first and pooling it in a second
// pass took 9% of FP32 lenet-5 at batch 256 (Zen 4), most of it in the scalar pool.
#pragma once

#include <cstdint>

namespace slim {

// A plane [height, width] (rows `width` floats apart, height and width >= 2) to
// [height / 2, width / 2] at `out`; an odd last row or column is dropped, as MaxPool2d's
// unpadded window drops it.
struct PooledPlane {
  const float* plane;
  int64_t height, width;
  float bias;
  bool relu;
  float* out;
};

void bias_relu_max_pool_2x2_reference(const PooledPlane& p);
void bias_relu_max_pool_2x2_avx512(const PooledPlane& p);
void bias_relu_max_pool_2x2_avx2(const PooledPlane& p);
// The AVX-512 variant where the CPU has AVX-512 F/DQ/BW/VL, else the AVX2 one, else the
// reference.
void bias_relu_max_pool_2x2(const PooledPlane& p);

}  // namespace slim
