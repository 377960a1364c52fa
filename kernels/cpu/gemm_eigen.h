// The Eigen GEMM: row-major maps over the caller's buffers and one noalias product.
//
// Threads: Eigen parallelises its GEMM with OpenMP and, since slimbench never calls
// Eigen::setNbThreads, uses omp_get_max_threads(), which slim::set_num_threads() sets.
// See kernels/gemm_function.h for the contract; tested against gemm_reference.
#pragma once

#include <cstdint>

namespace slim {

void gemm_eigen(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);

}  // namespace slim
