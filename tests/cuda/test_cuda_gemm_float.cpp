// cuBLAS FP32, TF32 and FP16 GEMMs against the CPU reference GEMM (gemm_reference).
//
// Tolerance, per element. Let s = sum_p |a_ip| |b_pj|. The GPU first rounds each input
// to a format with relative error at most u_in:
//   FP32  u_in = 0      (no rounding; CUBLAS_COMPUTE_32F_PEDANTIC forbids TF32)
//   TF32  u_in = 2^-10  (10 stored mantissa bits; 2^-10 covers hardware that truncates,
//                        rounding to nearest would give 2^-11)
//   FP16  u_in = 2^-11  (10 stored bits, round to nearest in cuda_convert_to_fp16)
// A product of two rounded inputs is then off by at most (2 u_in + u_in^2) |a| |b|, and
// is exact in FP32 (at most 2 x 11 significant bits). Adding K terms in FP32 in any
// order adds at most K u s (the classic gamma_K bound): u = 2^-24 for the reference,
// which rounds to nearest, and u = 2^-23 for the GPU, whose tensor cores may truncate
// partial sums. Hence
//   |gpu - reference| <= (2 u_in + u_in^2 + K (2^-23 + 2^-24)) s
// plus, for FP16 only, K 2^-24: inputs below 2^-14 become subnormals with an absolute
// error up to 2^-25, i.e. up to 2^-24 per product since |a|, |b| <= 1 here.
// So FP32 is held to about 3K units of 2^-24 relative to s, TF32 and FP16 to about 2^-9
// and 2^-10 more. These are worst cases, well above typical errors (which grow like
// sqrt(K) u); each test prints max|diff| and the largest diff/bound ratio so the margin
// is visible. A real bug (a wrong transpose, a skipped row) is off by O(s), far outside.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "kernels/cuda/cuda_gemm_host.h"
#include "kernels/reference/gemm_reference.h"
#include "tests/cuda/gemm_test_data.h"
#include "tests/cuda/require_device.h"

namespace slim {
namespace {

using test::GemmShape;

struct Margin {
  double max_abs_diff = 0.0;
  double worst_ratio = 0.0;  // max over elements of |diff| / bound; <= 1 passes
  bool finite = true;
};

double input_roundoff(CudaFloatGemm variant) {
  switch (variant) {
    case CudaFloatGemm::kFp32:
      return 0.0;
    case CudaFloatGemm::kTf32:
      return std::ldexp(1.0, -10);
    case CudaFloatGemm::kFp16:
      return std::ldexp(1.0, -11);
  }
  return 1.0;
}

// The bound of the file comment for one element with sum |a||b| = s.
double error_bound(CudaFloatGemm variant, int64_t k, double s) {
  const double u_in = input_roundoff(variant);
  const double kd = static_cast<double>(k);
  const double relative =
      2.0 * u_in + u_in * u_in + kd * (std::ldexp(1.0, -23) + std::ldexp(1.0, -24));
  const double subnormal = variant == CudaFloatGemm::kFp16 ? kd * std::ldexp(1.0, -24) : 0.0;
  return relative * s + subnormal;
}

std::vector<float> absolute_values(std::vector<float> values) {
  for (float& v : values) v = std::abs(v);
  return values;
}

Margin check_shape(CudaFloatGemm variant, const GemmShape& shape, uint64_t seed) {
  const auto [m, n, k] = shape;
  const std::vector<float> a = test::uniform_floats(m * k, seed);
  const std::vector<float> b = test::uniform_floats(k * n, seed + 1);
  std::vector<float> want(static_cast<std::size_t>(m * n));
  std::vector<float> sums(want.size());  // s for every element
  gemm_reference(m, n, k, a.data(), b.data(), want.data());
  const std::vector<float> abs_a = absolute_values(a);
  const std::vector<float> abs_b = absolute_values(b);
  gemm_reference(m, n, k, abs_a.data(), abs_b.data(), sums.data());
  // NaN first, so an output the GPU never writes cannot pass by chance.
  std::vector<float> got(want.size(), std::numeric_limits<float>::quiet_NaN());
  cuda_gemm_host(variant, m, n, k, a, b, got);

  Margin margin;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double diff = std::abs(static_cast<double>(got[i]) - want[i]);
    // The reference's own sum of |a||b| is off by at most K 2^-24 relative: negligible
    // next to the bound, and covered by its 2^-24 term's slack.
    const double bound = error_bound(variant, k, sums[i]);
    if (!std::isfinite(got[i])) margin.finite = false;
    margin.max_abs_diff = std::max(margin.max_abs_diff, diff);
    margin.worst_ratio =
        std::max(margin.worst_ratio, bound > 0 ? diff / bound : (diff > 0 ? INFINITY : 0.0));
  }
  fmt::print("{} M={:<4} N={:<4} K={:<4} max|gpu - cpu| = {:<10.3g} worst diff/bound = {:.3g}\n",
             gemm_variant_name(variant), m, n, k, margin.max_abs_diff, margin.worst_ratio);
  return margin;
}

// Odd sizes leave partial tiles everywhere; M = 1 and N = 1 are the GEMV corners; the
// zoo-like shapes are what inference runs; K = 0 must write zeros.
std::vector<GemmShape> float_test_shapes() {
  std::vector<GemmShape> shapes = {{1, 1, 1},       {1, 1, 300},   {1, 37, 65},     {29, 1, 64},
                                   {33, 17, 5},     {64, 64, 64},  {127, 129, 255}, {3, 500, 1},
                                   {256, 120, 400}, {1, 300, 784}, {4, 5, 0}};
  for (const GemmShape& shape : test::random_shapes(6, 300, 42)) shapes.push_back(shape);
  return shapes;
}

void check_variant(CudaFloatGemm variant) {
  test::require_cuda_device();
  uint64_t seed = 100;
  for (const GemmShape& shape : float_test_shapes()) {
    const Margin margin = check_shape(variant, shape, seed += 2);
    INFO(gemm_variant_name(variant) << " M=" << shape.m << " N=" << shape.n << " K=" << shape.k);
    CHECK(margin.finite);
    CHECK(margin.worst_ratio <= 1.0);
  }
}

TEST_CASE("cuda.gemm_fp32_matches_reference") {
  check_variant(CudaFloatGemm::kFp32);
}

TEST_CASE("cuda.gemm_tf32_matches_reference") {
  check_variant(CudaFloatGemm::kTf32);
}

TEST_CASE("cuda.gemm_fp16_matches_reference") {
  check_variant(CudaFloatGemm::kFp16);
}

// Size checks come before any CUDA call, so this runs on every machine.
TEST_CASE("cuda.gemm_host_checks_sizes") {
  const std::vector<float> six(6);
  const std::vector<float> five(5);
  std::vector<float> four(4);
  std::vector<float> five_out(5);
  CHECK_THROWS_AS(cuda_gemm_host(CudaFloatGemm::kFp32, 2, 2, 3, six, five, four),
                  std::invalid_argument);
  CHECK_THROWS_AS(cuda_gemm_host(CudaFloatGemm::kTf32, 2, 2, 3, six, six, five_out),
                  std::invalid_argument);
  CHECK_THROWS_AS(cuda_gemm_host(CudaFloatGemm::kFp16, -2, 2, 3, six, six, four),
                  std::invalid_argument);
}

}  // namespace
}  // namespace slim
