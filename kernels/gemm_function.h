// GemmFunction: the one matrix-multiply signature every FP32 inference backend plugs in.
//
// C[M x N] = A[M x K] * B[K x N], all row-major and densely packed (leading dimensions
// K, N and N), no transposes, no alpha/beta: C is overwritten. Inference never needs
// more, and the narrow signature keeps each backend's GEMM a few lines. Operators that
// need a bias add it after the product (kernels/ops/).
#pragma once

#include <cstdint>

namespace slim {

using GemmFunction = void (*)(int64_t m, int64_t n, int64_t k, const float* a, const float* b,
                              float* c);

}  // namespace slim
