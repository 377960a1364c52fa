// SparseLinearOp: y = x W^T + b with W held in a sparse format (CsrMatrix or
// Sparse24Matrix) and multiplied by that format's kernel (csr_matmul.h,
// sparse24_matmul.h). The op owns the matrix, the bias and the kernel's scratch (X^T),
// so a run at an unchanged batch size allocates nothing.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

#include "core/tensor.h"
#include "kernels/ops/op.h"
#include "kernels/sparse/sparse_scratch.h"

namespace slim {

template <typename Matrix>
class SparseLinearOp final : public Op {
 public:
  using Kernel = void (*)(const Matrix& w, const float* x, int64_t batch, float* y,
                          SparseScratch& scratch);

  // `bias` is [rows] or empty (no bias).
  SparseLinearOp(Matrix weight, Tensor bias, Kernel kernel)
      : weight_(std::move(weight)), bias_(std::move(bias)), kernel_(kernel) {}

  void run(std::span<const Tensor* const> inputs, Tensor& output) override {
    const Tensor& input = *inputs[0];
    if (input.rank() != 2 || input.dim(1) != weight_.cols) {
      throw std::logic_error(fmt::format("sparse linear op: expected input [N, {}], got {}",
                                         weight_.cols, shape_to_string(input.shape())));
    }
    const int64_t batch = input.dim(0);
    ensure_shape(output, {batch, weight_.rows});
    kernel_(weight_, input.data(), batch, output.data(), scratch_);
    add_bias(output);
  }

 private:
  void add_bias(Tensor& output) const {
    if (bias_.empty()) return;
    for (int64_t b = 0; b < output.dim(0); ++b) {
      float* row = output.data() + b * weight_.rows;
      for (int64_t j = 0; j < weight_.rows; ++j) row[j] += bias_[j];
    }
  }

  Matrix weight_;
  Tensor bias_;
  Kernel kernel_;
  SparseScratch scratch_;
};

}  // namespace slim
