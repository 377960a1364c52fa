#include "kernels/sparse/cpu_features.h"
#include "kernels/sparse/sparse24_matmul.h"

namespace slim {

void sparse24_matmul_reference(const Sparse24Matrix& w, const float* x, int64_t batch, float* y,
                               SparseScratch& /*scratch*/) {
  for (int64_t b = 0; b < batch; ++b) {
    const float* x_row = x + b * w.cols;
    for (int64_t r = 0; r < w.rows; ++r) {
      float sum = 0.0f;
      for (int64_t g = 0; g < w.groups; ++g) {
        const int64_t n = r * w.groups + g;
        for (int slot = 0; slot < 2; ++slot) {
          const int64_t c = g * kSparse24GroupSize + w.position(n, slot);
          if (c < w.cols) sum += w.values[static_cast<size_t>(2 * n + slot)] * x_row[c];
        }
      }
      y[b * w.rows + r] = sum;
    }
  }
}

Sparse24MatmulFunction sparse24_matmul_best() {
  return cpu_has_avx2_fma() ? sparse24_matmul_avx2 : sparse24_matmul_reference;
}

}  // namespace slim
