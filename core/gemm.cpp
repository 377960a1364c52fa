#include "core/gemm.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <string_view>

namespace slim {

namespace {

void sgemm_serial(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                  const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                  int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a == Trans::kNo ? CblasNoTrans : CblasTrans,
              trans_b == Trans::kNo ? CblasNoTrans : CblasTrans, static_cast<blasint>(m),
              static_cast<blasint>(n), static_cast<blasint>(k), alpha, a, static_cast<blasint>(lda),
              b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

// Below this many multiply-adds a fork costs more than it saves.
constexpr int64_t kMinParallelMacs = 1 << 18;
// Slices are whole multiples of this many rows or columns, to keep the micro-kernel's
// register tiles full.
constexpr int64_t kSliceAlign = 16;

}  // namespace

// Threading: OpenBLAS runs single-threaded and we split C into one slice per OpenMP
// thread. Two thread pools (OpenBLAS's and OpenMP's) spinning on two cores measured
// 10x slower than one pool, and a fixed partition keeps results deterministic.
void sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, float alpha,
           const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
           int64_t ldc) {
  if (m == 0 || n == 0) return;
  const int threads = omp_get_max_threads();
  if (threads <= 1 || m * n * k < kMinParallelMacs || omp_in_parallel()) {
    sgemm_serial(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const bool split_columns = n >= m;
  const int64_t extent = split_columns ? n : m;
  const int64_t per_thread = (extent + threads - 1) / threads;
  const int64_t slice = (per_thread + kSliceAlign - 1) / kSliceAlign * kSliceAlign;
  const int64_t slices = (extent + slice - 1) / slice;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t s = 0; s < slices; ++s) {
    const int64_t begin = s * slice;
    const int64_t len = std::min(slice, extent - begin);
    if (split_columns) {
      const float* b_slice = trans_b == Trans::kNo ? b + begin : b + begin * ldb;
      sgemm_serial(trans_a, trans_b, m, len, k, alpha, a, lda, b_slice, ldb, beta, c + begin, ldc);
    } else {
      const float* a_slice = trans_a == Trans::kNo ? a + begin * lda : a + begin;
      sgemm_serial(trans_a, trans_b, len, n, k, alpha, a_slice, lda, b, ldb, beta, c + begin * ldc,
                   ldc);
    }
  }
}

std::string openblas_core_name() {
  const char* name = openblas_get_corename();
  return name ? std::string(name) : std::string("unknown");
}

bool openblas_core_is_fallback(const std::string& core_name) {
  // Generic x86-64 cores OpenBLAS uses when it cannot identify the CPU.
  static constexpr std::array<std::string_view, 6> kFallbacks = {
      "prescott", "core2", "katmai", "coppermine", "northwood", "generic"};
  std::string lower = core_name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return std::find(kFallbacks.begin(), kFallbacks.end(), lower) != kFallbacks.end();
}

std::string openblas_forced_core() {
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  return forced ? std::string(forced) : std::string();
}

std::string describe_openblas_core(const std::string& core, const std::string& forced) {
  std::string text = "OpenBLAS core " + core;
  if (openblas_core_is_fallback(core))
    text += " (WARNING: a generic fallback core, SGEMM ~7x slower)";
  if (!forced.empty()) text += " (chosen by OPENBLAS_CORETYPE=" + forced + " in the environment)";
  return text;
}

void set_num_threads(int threads) {
  threads = std::max(1, threads);
  omp_set_num_threads(threads);
  openblas_set_num_threads(1);  // sgemm() threads over OpenMP instead; see there
}

int num_threads() {
  return omp_get_max_threads();
}

}  // namespace slim
