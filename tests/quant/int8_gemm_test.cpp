// gemm_s8s8s32_reference against a naive int64 computation, on random shapes including
// M, N or K of 1, and with every code at -128 or 127 (the largest products). The result
// must be exact: integer sums have no rounding.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "kernels/int8/gemm_s8.h"

namespace slim {
namespace {

std::vector<int8_t> random_codes(int64_t count, Rng& rng) {
  std::vector<int8_t> codes(static_cast<size_t>(count));
  for (int8_t& c : codes) c = static_cast<int8_t>(static_cast<int>(rng.below(256)) - 128);
  return codes;
}

// C[i, j] = sum_p A[i, p] * B[j, p] in int64, B being [N, K] (gemm_s8.h's layout).
std::vector<int64_t> naive_product(int64_t m, int64_t n, int64_t k, const std::vector<int8_t>& a,
                                   const std::vector<int8_t>& b) {
  std::vector<int64_t> c(static_cast<size_t>(m * n), 0);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t p = 0; p < k; ++p) {
        c[static_cast<size_t>(i * n + j)] +=
            int64_t{a[static_cast<size_t>(i * k + p)]} * int64_t{b[static_cast<size_t>(j * k + p)]};
      }
    }
  }
  return c;
}

int64_t count_mismatches(int64_t m, int64_t n, int64_t k, const std::vector<int8_t>& a,
                         const std::vector<int8_t>& b) {
  std::vector<int32_t> c(static_cast<size_t>(m * n), -7);  // stale values must be overwritten
  gemm_s8s8s32_reference(m, n, k, a.data(), b.data(), c.data());
  const std::vector<int64_t> want = naive_product(m, n, k, a, b);
  int64_t mismatches = 0;
  for (size_t i = 0; i < c.size(); ++i) mismatches += c[i] != want[i];
  return mismatches;
}

TEST_CASE("int8 reference GEMM equals an int64 product on random shapes", "[int8]") {
  Rng rng(99);
  struct Dims {
    int64_t m, n, k;
  };
  std::vector<Dims> shapes = {{1, 1, 1}, {1, 7, 13}, {9, 1, 5}, {4, 6, 1}, {1, 1, 300}};
  for (int i = 0; i < 20; ++i) {
    shapes.push_back({1 + static_cast<int64_t>(rng.below(17)),
                      1 + static_cast<int64_t>(rng.below(17)),
                      1 + static_cast<int64_t>(rng.below(200))});
  }
  for (const Dims& d : shapes) {
    const std::vector<int8_t> a = random_codes(d.m * d.k, rng);
    const std::vector<int8_t> b = random_codes(d.n * d.k, rng);
    INFO("M=" << d.m << " N=" << d.n << " K=" << d.k);
    CHECK(count_mismatches(d.m, d.n, d.k, a, b) == 0);
  }
}

TEST_CASE("int8 reference GEMM at the extremes of the code range", "[int8]") {
  // K = 2^15 products of (-128)(-128) = 2^14 give 2^29; mixed signs give the minimum.
  constexpr int64_t kDepth = int64_t{1} << 15;
  for (const int8_t a_code : {int8_t{-128}, int8_t{127}}) {
    for (const int8_t b_code : {int8_t{-128}, int8_t{127}}) {
      const std::vector<int8_t> a(2 * kDepth, a_code);
      const std::vector<int8_t> b(3 * kDepth, b_code);
      INFO("codes " << int{a_code} << " and " << int{b_code});
      CHECK(count_mismatches(2, 3, kDepth, a, b) == 0);
    }
  }
  std::vector<int32_t> c(1);
  const std::vector<int8_t> low(kDepth, -128);
  gemm_s8s8s32_reference(1, 1, kDepth, low.data(), low.data(), c.data());
  CHECK(c[0] == (int32_t{1} << 29));
}

}  // namespace
}  // namespace slim
