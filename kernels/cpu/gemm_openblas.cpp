#include "kernels/cpu/gemm_openblas.h"

#include <algorithm>

#include "core/gemm.h"

namespace slim {

void gemm_openblas(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  if (k == 0) {
    // BLAS rejects a leading dimension of 0 (lda = k); an empty sum is zero anyway.
    std::fill(c, c + m * n, 0.0f);
    return;
  }
  sgemm(Trans::kNo, Trans::kNo, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
}

}  // namespace slim
