// The GEMM shapes that benchmarks run: those the zoo models produce, and powers-of-two
// squares.
//
// Zoo shapes are derived, not typed in: every zoo model is built for Fashion-MNIST
// (1x28x28, 10 classes) and its Linear and Conv2d nodes are lowered exactly as the FP32
// operators in kernels/ops/ lower them (see zoo_gemm_shapes.cpp), so a new model or a
// changed layer shows up in every GEMM benchmark without anyone editing a list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/layers/conv2d.h"
#include "core/tensor.h"

namespace slim::bench {

// C[m x n] = A[m x k] * B[k x n], as in kernels/gemm_function.h. `name` says where the
// shape comes from, e.g. "lenet-5/conv2@b256" or "square/1024".
struct GemmShape {
  std::string name;
  int64_t m, n, k;
};

// A zoo GEMM together with what the rest of its model's forward pass touches, which
// decides how much of it a real run finds in cache (bench/operand_rotation.h).
struct ZooGemm {
  GemmShape shape;
  // FP32 bytes of every GEMM operand (A, B and C) of one forward pass of the model the
  // shape came from, at the same batch size: the data that flows through the caches
  // between two uses of this layer's weights.
  int64_t model_forward_bytes = 0;
};

// Every Linear and Conv2d GEMM of every zoo model at `batch`, in zoo and node order, with
// repeated (m, n, k) triples dropped: the first model and node to produce a shape names it.
std::vector<ZooGemm> zoo_gemms(int64_t batch);

// A zoo convolution as its layer sees it, for benchmarks of whole convolutions (im2col or
// direct) rather than of their GEMM.
struct ZooConv {
  std::string name;  // "<model>/<node>@b<batch>"
  Conv2dOptions options;
  Shape input;  // [batch, C, H, W]
  // A 2x2 max pool that the executors fuse into the convolution follows it in its model
  // (fusable_conv_chains, kernels/graph_executor.h).
  bool pooled = false;
  int64_t macs() const;
};

// Every Conv2d of every zoo model at `batch`, with repeated (options, input, pooled)
// dropped.
std::vector<ZooConv> zoo_convolutions(int64_t batch);

// The shapes of zoo_gemms(batch).
std::vector<GemmShape> zoo_gemm_shapes(int64_t batch);

// m = n = k = 64, 128, 256, 512, 1024, 2048, named "square/<size>".
std::vector<GemmShape> square_gemm_shapes();

// The FP32 bytes of A, B and C together.
int64_t gemm_operand_bytes(const GemmShape& shape);

// 2 * m * n * k: one multiply and one add per multiply-accumulate.
double gemm_flops(const GemmShape& shape);

}  // namespace slim::bench
