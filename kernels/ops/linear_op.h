// LinearOp: y = x * Wt + b with the weight transposed once, at lowering, to [in, out].
//
// With Wt stored that way the product is the plain row-major GEMM every backend
// provides, [N, in] x [in, out] -> [N, out], and the bias is added row by row afterwards.
// Pruned weights are already exact zeros in the layer's values, so they are just copied.
#pragma once

#include "core/layers/linear.h"
#include "kernels/gemm_function.h"
#include "kernels/ops/op.h"

namespace slim {

class LinearOp final : public Op {
 public:
  LinearOp(const Linear& layer, GemmFunction gemm);
  void run(std::span<const Tensor* const> inputs, Tensor& output) override;

 private:
  void add_bias(Tensor& output) const;

  GemmFunction gemm_;
  int64_t in_features_;
  int64_t out_features_;
  Tensor weight_t_;  // [in, out]
  Tensor bias_;      // [out], empty when the layer has no bias
};

}  // namespace slim
