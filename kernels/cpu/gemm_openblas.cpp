#include "kernels/cpu/gemm_openblas.h"

#include <cblas.h>

#include <algorithm>

#include "core/gemm.h"

namespace slim {

void gemm_openblas(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  if (k == 0) {
    // BLAS rejects a leading dimension of 0 (lda = k); an empty sum is zero anyway.
    std::fill(c, c + m * n, 0.0f);
    return;
  }
  if (m == 1) {
    // One row (a Linear layer at batch 1) is a matrix-vector product: c = B^T a. OpenBLAS
    // 0.3.21's sgemm packs all of B for it and measured 4.5x slower than sgemv on
    // lenet-5's fc1 (bench_fp32_gemm, lenet-5/fc1@b1).
    cblas_sgemv(CblasRowMajor, CblasTrans, static_cast<blasint>(k), static_cast<blasint>(n), 1.0f,
                b, static_cast<blasint>(n), a, 1, 0.0f, c, 1);
    return;
  }
  sgemm(Trans::kNo, Trans::kNo, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
}

}  // namespace slim
