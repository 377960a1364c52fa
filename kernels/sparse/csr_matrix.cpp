#include "kernels/sparse/csr_matrix.h"

#include <limits>

#include "core/error.h"

namespace slim {

int64_t csr_stored_bytes(int64_t rows, int64_t nonzeros) {
  constexpr int64_t kValueBytes = sizeof(float);
  constexpr int64_t kIndexBytes = sizeof(uint16_t);
  constexpr int64_t kRowPtrBytes = sizeof(int32_t);
  return nonzeros * (kValueBytes + kIndexBytes) + (rows + 1) * kRowPtrBytes;
}

int64_t CsrMatrix::stored_bytes() const {
  return csr_stored_bytes(rows, nonzeros());
}

CsrMatrix csr_from_dense(const float* dense, int64_t rows, int64_t cols) {
  if (cols > kCsrMaxCols) {
    fail("CSR format: {} columns exceed the uint16 column index limit of {}", cols, kCsrMaxCols);
  }
  CsrMatrix matrix;
  matrix.rows = rows;
  matrix.cols = cols;
  matrix.row_ptr.reserve(static_cast<size_t>(rows + 1));
  matrix.row_ptr.push_back(0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = dense + r * cols;
    for (int64_t c = 0; c < cols; ++c) {
      if (row[c] == 0.0f) continue;
      matrix.col_idx.push_back(static_cast<uint16_t>(c));
      matrix.values.push_back(row[c]);
    }
    if (matrix.nonzeros() > std::numeric_limits<int32_t>::max()) {
      fail("CSR format: more than 2^31 - 1 nonzeros do not fit int32 row pointers");
    }
    matrix.row_ptr.push_back(static_cast<int32_t>(matrix.nonzeros()));
  }
  return matrix;
}

std::vector<float> csr_to_dense(const CsrMatrix& matrix) {
  std::vector<float> dense(static_cast<size_t>(matrix.rows * matrix.cols), 0.0f);
  for (int64_t r = 0; r < matrix.rows; ++r) {
    for (int32_t e = matrix.row_ptr[r]; e < matrix.row_ptr[r + 1]; ++e) {
      dense[static_cast<size_t>(r * matrix.cols + matrix.col_idx[e])] = matrix.values[e];
    }
  }
  return dense;
}

}  // namespace slim
