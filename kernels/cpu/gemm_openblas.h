// The OpenBLAS GEMM: slim::sgemm (core/gemm.h), the same path training uses.
//
// Threads: sgemm calls OpenBLAS single-threaded on slices of C, one per OpenMP thread,
// so slim::set_num_threads() governs it. See kernels/gemm_function.h for the contract;
// tested against gemm_reference.
#pragma once

#include <cstdint>

namespace slim {

void gemm_openblas(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);

}  // namespace slim
