#include "kernels/int8/gemm_s8.h"

namespace slim {

// One dot product per output: the ground truth the optimized kernels are compared with,
// so it stays the most obvious form. Integer sums are exact, so the order is free.
void gemm_s8s8s32_reference(int64_t m, int64_t n, int64_t k, const int8_t* a, const int8_t* b,
                            int32_t* c) {
  for (int64_t i = 0; i < m; ++i) {
    const int8_t* a_row = a + i * k;
    for (int64_t j = 0; j < n; ++j) {
      const int8_t* b_row = b + j * k;
      int32_t sum = 0;
      for (int64_t p = 0; p < k; ++p) {
        sum += static_cast<int32_t>(a_row[p]) * static_cast<int32_t>(b_row[p]);
      }
      c[i * n + j] = sum;
    }
  }
}

}  // namespace slim
