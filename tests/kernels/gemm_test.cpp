// The optimized GEMMs against the plain-loop reference, on random and edge shapes.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/cpu/gemm_eigen.h"
#include "kernels/cpu/gemm_openblas.h"
#include "kernels/gemm_function.h"
#include "kernels/reference/gemm_reference.h"
#include "tests/kernels/test_tensors.h"

namespace slim::testing {
namespace {

struct GemmShape {
  int64_t m, n, k;
};

struct NamedGemm {
  std::string name;
  GemmFunction gemm;
};

const std::vector<NamedGemm>& optimized_gemms() {
  static const std::vector<NamedGemm> gemms = {{"eigen", gemm_eigen}, {"openblas", gemm_openblas}};
  return gemms;
}

// Float sums reassociate differently in blocked kernels (and may use FMA); with N(0, 1)
// inputs and K <= 800, the reference and an optimized kernel agree to ~1e-5 relative.
constexpr float kAtol = 1e-4f;
constexpr float kRtol = 1e-4f;

// Runs `gemm` and the reference on one random problem; returns the comparison.
Comparison compare_with_reference(GemmFunction gemm, const GemmShape& s, uint64_t seed) {
  const std::vector<float> a = random_values(s.m * s.k, seed);
  const std::vector<float> b = random_values(s.k * s.n, seed + 1);
  // Pre-filled with garbage: a GEMM must overwrite C, not accumulate into it.
  std::vector<float> want(static_cast<size_t>(s.m * s.n), 7.0f);
  std::vector<float> got(static_cast<size_t>(s.m * s.n), -3.0f);
  gemm_reference(s.m, s.n, s.k, a.data(), b.data(), want.data());
  gemm(s.m, s.n, s.k, a.data(), b.data(), got.data());
  return compare(want, got, kAtol, kRtol);
}

void check_shapes(const std::vector<GemmShape>& shapes) {
  for (const NamedGemm& named : optimized_gemms()) {
    float worst = 0.0f;
    uint64_t seed = 100;
    for (const GemmShape& s : shapes) {
      INFO(named.name << " M=" << s.m << " N=" << s.n << " K=" << s.k);
      const Comparison c = compare_with_reference(named.gemm, s, seed);
      seed += 2;
      INFO("max|diff| = " << c.max_abs_diff);
      CHECK(c.within_tolerance);
      worst = std::max(worst, c.max_abs_diff);
    }
    WARN(named.name << " vs reference over " << shapes.size() << " shapes: max|diff| = " << worst);
  }
}

}  // namespace

TEST_CASE("reference gemm computes a hand-checked product", "[gemm]") {
  // [1 2 3; 4 5 6] x [7 8; 9 10; 11 12] = [58 64; 139 154]
  const std::vector<float> a = {1, 2, 3, 4, 5, 6};
  const std::vector<float> b = {7, 8, 9, 10, 11, 12};
  std::vector<float> c(4, -1.0f);
  gemm_reference(2, 2, 3, a.data(), b.data(), c.data());
  CHECK(c == std::vector<float>{58, 64, 139, 154});
}

TEST_CASE("optimized gemms match the reference on edge shapes", "[gemm]") {
  check_shapes({{1, 1, 1},
                {1, 17, 33},
                {19, 1, 7},
                {5, 9, 1},
                {1, 1, 257},
                {13, 11, 15},
                {8, 8, 8},
                {7, 9, 17},
                {64, 64, 64},
                {97, 131, 257},
                {1, 500, 800},
                {20, 1152, 25},
                {50, 5, 500}});
}

TEST_CASE("optimized gemms match the reference on random shapes", "[gemm]") {
  Rng rng(42);
  std::vector<GemmShape> shapes;
  for (int i = 0; i < 40; ++i) {
    shapes.push_back({static_cast<int64_t>(1 + rng.below(80)),
                      static_cast<int64_t>(1 + rng.below(80)),
                      static_cast<int64_t>(1 + rng.below(120))});
  }
  check_shapes(shapes);
}

TEST_CASE("gemms with an empty inner dimension write zeros", "[gemm]") {
  std::vector<GemmFunction> all = {gemm_reference};
  for (const NamedGemm& named : optimized_gemms()) all.push_back(named.gemm);
  for (GemmFunction gemm : all) {
    std::vector<float> c(12, 5.0f);
    const float unused = 0.0f;
    gemm(3, 4, 0, &unused, &unused, c.data());
    CHECK(c == std::vector<float>(12, 0.0f));
  }
}

}  // namespace slim::testing
