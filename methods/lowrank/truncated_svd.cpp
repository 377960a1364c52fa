#include "methods/lowrank/truncated_svd.h"

#include <Eigen/SVD>
#include <cmath>
#include <stdexcept>

namespace slim {

MatrixSvd thin_svd(const MatrixD& matrix) {
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(matrix, Eigen::ComputeThinU | Eigen::ComputeThinV);
  MatrixSvd out;
  out.u = svd.matrixU();
  out.v = svd.matrixV();
  const Eigen::VectorXd& values = svd.singularValues();
  out.singular_values.assign(values.data(), values.data() + values.size());
  return out;
}

MatrixSvd thin_svd(const Tensor& weight) {
  return thin_svd(MatrixD(weight.as_matrix().cast<double>()));
}

BalancedFactors balanced_factors(const MatrixSvd& svd, int64_t rank) {
  const auto full_rank = static_cast<int64_t>(svd.singular_values.size());
  if (rank < 1 || rank > full_rank) {
    throw std::invalid_argument("balanced_factors: rank outside [1, min(m, n)]");
  }
  Eigen::VectorXd root(rank);
  for (int64_t i = 0; i < rank; ++i) {
    root[i] = std::sqrt(svd.singular_values[static_cast<size_t>(i)]);
  }
  const MatrixD first = root.asDiagonal() * svd.v.leftCols(rank).transpose();
  const MatrixD second = svd.u.leftCols(rank) * root.asDiagonal();

  BalancedFactors factors{Tensor({rank, svd.v.rows()}), Tensor({svd.u.rows(), rank})};
  factors.first.as_matrix() = first.cast<float>();
  factors.second.as_matrix() = second.cast<float>();
  return factors;
}

}  // namespace slim
