#include "kernels/cpu/gemm_eigen.h"

#include <Eigen/Core>

namespace slim {
namespace {

// Unaligned maps: callers may pass pointers into the middle of a buffer, so we cannot
// promise Tensor's 64-byte alignment here.
using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMajor>;
using Map = Eigen::Map<RowMajor>;

}  // namespace

void gemm_eigen(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  const ConstMap a_map(a, m, k);
  const ConstMap b_map(b, k, n);
  Map c_map(c, m, n);
  // noalias: C never overlaps A or B, so Eigen may write the product straight into C
  // instead of through a temporary.
  c_map.noalias() = a_map * b_map;
}

}  // namespace slim
