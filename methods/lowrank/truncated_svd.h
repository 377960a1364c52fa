// Truncated SVD of a weight matrix and its balanced split into two factors.
//
// The SVD runs in double precision (Eigen's BDCSVD, which is deterministic and falls back
// to Jacobi for small matrices), so that the factors of a full-rank split reproduce the
// float weights to float rounding. A rank-r truncation W ~ U_r S_r V_r^T is stored as
//   first  = sqrt(S_r) V_r^T   [r x n]  (applied first: in -> r)
//   second = U_r sqrt(S_r)     [m x r]  (applied second: r -> out)
// Splitting sqrt(S) onto both sides gives the two factors the same scale, which keeps
// either from being much larger than the other for fine-tuning and for per-channel int8
// quantization afterwards.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace slim {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct MatrixSvd {
  MatrixD u;                            // [m, min(m, n)], orthonormal columns
  std::vector<double> singular_values;  // min(m, n), descending
  MatrixD v;                            // [n, min(m, n)], orthonormal columns
};

// The thin SVD, computed in double, of a matrix or of a tensor seen as dimension 0 by the
// rest flattened (a Linear weight as is, a conv weight as Cout x (Cin*k*k)).
MatrixSvd thin_svd(const MatrixD& matrix);
MatrixSvd thin_svd(const Tensor& weight);

struct BalancedFactors {
  Tensor first;   // [rank, n] = sqrt(S_r) V_r^T
  Tensor second;  // [m, rank] = U_r sqrt(S_r)
};

// rank in [1, min(m, n)].
BalancedFactors balanced_factors(const MatrixSvd& svd, int64_t rank);

}  // namespace slim
