// Y [batch, rows] = X [batch, cols] * W^T with W a CsrMatrix [rows, cols]: the Linear
// layer's orientation (core/layers/linear.h), without the bias. Y is overwritten.
//
// Variants (one file each):
//   csr_matmul_reference  plain loops, one output at a time: the ground truth
//   csr_matmul_avx2       batch < 8: one sparse dot product per output, 16 nonzeros per
//                         step (eight scalar loads per vector: faster than vgatherdps
//                         on Zen 3); otherwise the transposed form of
//                         transposed_product_avx2.h (X^T, one broadcast FMA over 64
//                         samples per nonzero, column blocks kept in L1). OpenMP threads
//                         split the outputs, never a sum, so the result does not depend on
//                         the thread count.
// csr_matmul_best() picks AVX2 when the CPU has AVX2 and FMA, else the reference.
// `scratch` holds X^T and a tile of Y^T between calls (the caller keeps it, so steady
// runs do not allocate).
#pragma once

#include <cstdint>

#include "kernels/sparse/csr_matrix.h"
#include "kernels/sparse/sparse_scratch.h"

namespace slim {

using CsrMatmulFunction = void (*)(const CsrMatrix& w, const float* x, int64_t batch, float* y,
                                   SparseScratch& scratch);

void csr_matmul_reference(const CsrMatrix& w, const float* x, int64_t batch, float* y,
                          SparseScratch& scratch);
// Only call when cpu_has_avx2_fma() (kernels/sparse/cpu_features.h).
void csr_matmul_avx2(const CsrMatrix& w, const float* x, int64_t batch, float* y,
                     SparseScratch& scratch);

CsrMatmulFunction csr_matmul_best();

}  // namespace slim
