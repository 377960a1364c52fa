// Conv2dOp: im2col, one GEMM, then a scatter to NCHW with the bias, a few images at a
// time (images_per_pass) so that the columns stay in cache.
//
// cols = im2col(x) is [C*K*K, n*OH*OW] for a pass of n images; the weight, kept as the
// layer's [O, C, K, K] values viewed as [O, C*K*K], times cols gives [O, n*OH*OW], which
// is reordered to [n, O, OH, OW]. The column and product buffers live in the op and are
// reused, so a run with an unchanged batch size allocates nothing.
#pragma once

#include "core/layers/conv2d.h"
#include "core/layers/im2col.h"
#include "kernels/gemm_function.h"
#include "kernels/ops/op.h"

namespace slim {

class Conv2dOp final : public Op {
 public:
  Conv2dOp(const Conv2d& layer, GemmFunction gemm);
  void run(std::span<const Tensor* const> inputs, Tensor& output) override;
  // Applies the following ReLU in the pass that adds the bias (graph_executor.h fuses a
  // ReLU that is a convolution's only reader): max(x + b, 0) with ReLU's own comparison,
  // so the values are the unfused ones, without one more pass over the whole output.
  void fuse_relu() { fused_relu_ = true; }
  // Applies a following 2x2, stride-2, unpadded max pool to each pass while its output is
  // in cache (output [N, O, OH / 2, OW / 2]); the values are MaxPool2d's. The caller
  // checks that OH and OW are at least 2.
  void fuse_max_pool_2x2() { fused_pool_ = true; }

 private:
  ConvGeometry geometry(const Tensor& input) const;
  static int64_t images_per_pass(const ConvGeometry& g);
  // The product of the pass `g` (g.batch images) to NCHW at `out`.
  void scatter_to_nchw(const ConvGeometry& g, float* out) const;
  // The same, pooled 2x2 on the way (fused_pool_).
  void pool_to_nchw(const ConvGeometry& g, float* out) const;

  GemmFunction gemm_;
  Conv2dOptions options_;
  Tensor weight_;   // [O, C*K*K]
  Tensor bias_;     // [O], empty when the layer has no bias
  Tensor cols_;     // [C*K*K, images per pass * OH*OW]
  Tensor product_;  // [O, images per pass * OH*OW]
  bool fused_relu_ = false;
  bool fused_pool_ = false;
};

}  // namespace slim
