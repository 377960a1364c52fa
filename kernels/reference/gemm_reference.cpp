#include "kernels/reference/gemm_reference.h"

#include <algorithm>

namespace slim {

// i-k-j order: the innermost loop walks a row of B and a row of C contiguously, which
// keeps this readable version from being needlessly slow, without changing the math.
void gemm_reference(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  for (int64_t i = 0; i < m; ++i) {
    float* c_row = c + i * n;
    std::fill(c_row, c_row + n, 0.0f);
    for (int64_t p = 0; p < k; ++p) {
      const float a_ip = a[i * k + p];
      const float* b_row = b + p * n;
      for (int64_t j = 0; j < n; ++j) c_row[j] += a_ip * b_row[j];
    }
  }
}

}  // namespace slim
