// sgemm: the one FP32 matrix multiply that training and the FP32 layers call.
//
// Row-major, BLAS-style: C = alpha * op(A) * op(B) + beta * C with op(A) of size M x K
// and op(B) of size K x N. It runs on OpenBLAS, which measured 1.3-6x faster than
// Eigen's GEMM on the skinny shapes that im2col produces (see docs/training.md).
// Threads split C, never the K reduction, so for a fixed thread count results are
// bit-identical run to run; training determinism relies on it.
// Inference backends (kernels/) bring their own GEMMs.
#pragma once

#include <cstdint>
#include <string>

namespace slim {

enum class Trans { kNo, kYes };

void sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc);

// The kernel family OpenBLAS picked for this CPU, e.g. "Zen" or "Haswell".
std::string openblas_core_name();
// True when OpenBLAS fell back to a generic core (about 7x slower SGEMM), which
// happens when a Debian 12 OpenBLAS does not recognise a newer CPU.
bool openblas_core_is_fallback(const std::string& core_name);
// The environment's OPENBLAS_CORETYPE, which replaces OpenBLAS's own choice of core, or ""
// when unset. It can halve SGEMM's speed: a Zen 5 VM that sets "Haswell" runs the AVX2
// kernels where OpenBLAS 0.3.21 would pick Cooperlake's AVX-512 ones (docs/backends.md §3f).
std::string openblas_forced_core();
// "OpenBLAS core <core>", with a warning for a fallback core and, when `forced` is not
// empty, a note that OPENBLAS_CORETYPE chose it: the backend variant of every record.
std::string describe_openblas_core(const std::string& core, const std::string& forced);

// Sets the thread count of every parallel loop and GEMM (one OpenMP pool).
void set_num_threads(int threads);
int num_threads();

}  // namespace slim
