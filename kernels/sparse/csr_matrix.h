// CsrMatrix: a Linear weight W [rows = out, cols = in] in compressed sparse row form,
// built from the dense matrix's exact zeros (a pruned weight is stored as 0.0f).
//
// Row r's nonzeros are values[row_ptr[r] .. row_ptr[r+1]) at columns col_idx[same], in
// ascending column order. Stored bytes, exactly:
//   4 * nnz (FP32 values) + 2 * nnz (uint16 column indices) + 4 * (rows + 1) (int32 row
//   pointers)
// Column indices are uint16 rather than int32: every Linear layer in the zoo has at most
// 1200 inputs, the kernels read one index per nonzero (so a narrower index is less memory
// traffic, 6 instead of 8 bytes per nonzero), and widening to int32 for a gather is one
// instruction. A layer with more than 65536 inputs is refused (kCsrMaxCols); the sparse
// backend then keeps it dense. Row pointers stay int32: nnz can exceed 65535.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/sparse/aligned_floats.h"

namespace slim {

inline constexpr int64_t kCsrMaxCols = int64_t{1} << 16;

struct CsrMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<int32_t> row_ptr;   // rows + 1 entries, row_ptr[0] = 0
  std::vector<uint16_t> col_idx;  // nnz entries
  AlignedFloats values;           // nnz entries

  int64_t nonzeros() const { return static_cast<int64_t>(values.size()); }
  int64_t stored_bytes() const;
};

// The exact stored size of a CSR matrix with `rows` rows and `nonzeros` nonzeros.
int64_t csr_stored_bytes(int64_t rows, int64_t nonzeros);

// Keeps every element of `dense` ([rows, cols], row-major) that is not exactly zero
// (NaN is kept). Throws UserError when cols > kCsrMaxCols or the nonzeros overflow int32.
CsrMatrix csr_from_dense(const float* dense, int64_t rows, int64_t cols);

// The dense [rows, cols] matrix back (tests and debugging).
std::vector<float> csr_to_dense(const CsrMatrix& matrix);

}  // namespace slim
