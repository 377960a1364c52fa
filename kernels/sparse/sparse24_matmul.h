// Y [batch, rows] = X [batch, cols] * W^T with W a Sparse24Matrix [rows, cols]: the
// Linear layer's orientation (core/layers/linear.h), without the bias. Y is overwritten.
//
// Variants (one file each):
//   sparse24_matmul_reference  plain loops over every kept slot, skipping a filler slot
//                              past the last column: the ground truth
//   sparse24_matmul_avx2       batch < 6: per output row, 4 groups (8 kept values) per
//                              step: the 16 inputs they span are two plain loads, the
//                              2-bit positions become a vpermps index (no gather), one
//                              FMA; otherwise the transposed form of
//                              transposed_product_avx2.h (X^T, one broadcast FMA over 64
//                              samples per kept value, column blocks kept in L1). OpenMP
//                              threads split the outputs, never a sum.
// sparse24_matmul_best() picks AVX2 when the CPU has AVX2 and FMA, else the reference.
// `scratch` holds X^T and a tile of Y^T between calls.
#pragma once

#include <cstdint>

#include "kernels/sparse/sparse24_matrix.h"
#include "kernels/sparse/sparse_scratch.h"

namespace slim {

using Sparse24MatmulFunction = void (*)(const Sparse24Matrix& w, const float* x, int64_t batch,
                                        float* y, SparseScratch& scratch);

void sparse24_matmul_reference(const Sparse24Matrix& w, const float* x, int64_t batch, float* y,
                               SparseScratch& scratch);
// Only call when cpu_has_avx2_fma() (kernels/sparse/cpu_features.h).
void sparse24_matmul_avx2(const Sparse24Matrix& w, const float* x, int64_t batch, float* y,
                          SparseScratch& scratch);

Sparse24MatmulFunction sparse24_matmul_best();

}  // namespace slim
