#include "kernels/sparse/cpu_features.h"
#include "kernels/sparse/csr_matmul.h"

namespace slim {

void csr_matmul_reference(const CsrMatrix& w, const float* x, int64_t batch, float* y,
                          SparseScratch& /*scratch*/) {
  for (int64_t b = 0; b < batch; ++b) {
    const float* x_row = x + b * w.cols;
    for (int64_t r = 0; r < w.rows; ++r) {
      float sum = 0.0f;
      for (int32_t e = w.row_ptr[r]; e < w.row_ptr[r + 1]; ++e) {
        sum += w.values[e] * x_row[w.col_idx[e]];
      }
      y[b * w.rows + r] = sum;
    }
  }
}

CsrMatmulFunction csr_matmul_best() {
  return cpu_has_avx2_fma() ? csr_matmul_avx2 : csr_matmul_reference;
}

}  // namespace slim
