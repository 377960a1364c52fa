// The reference GEMM: plain loops, single-threaded, float accumulation in a fixed order.
//
// It is the ground truth the optimized GEMMs (kernels/cpu/) are tested against, and the
// GEMM of the "reference" backend. See kernels/gemm_function.h for the contract.
#pragma once

#include <cstdint>

namespace slim {

void gemm_reference(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);

}  // namespace slim
