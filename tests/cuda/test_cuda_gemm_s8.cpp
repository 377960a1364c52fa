// The GPU int8 GEMMs (cuBLASLt and our dp4a kernel) against gemm_s8s8s32_reference, bit
// for bit. All three share gemm_s8.h's layout: A [M, K], B [N, K], C [M, N], row-major,
// so no operand is transposed for the comparison.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/cuda/cuda_gemm.h"
#include "kernels/cuda/cuda_gemm_host.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/int8/gemm_s8.h"
#include "tests/cuda/gemm_test_data.h"
#include "tests/cuda/require_device.h"

namespace slim {
namespace {

using test::GemmShape;

constexpr int32_t kUnwritten = -12345;  // C's initial value, so a skipped output shows

struct S8Operands {
  std::vector<int8_t> a;
  std::vector<int8_t> b;
};

S8Operands random_operands(const GemmShape& shape, uint64_t seed) {
  return {test::uniform_int8(shape.m * shape.k, seed),
          test::uniform_int8(shape.n * shape.k, seed + 1)};
}

// The largest sums the accumulator sees: every product is (-128) * (-128) = 2^14.
S8Operands extreme_operands(const GemmShape& shape) {
  return {std::vector<int8_t>(static_cast<std::size_t>(shape.m * shape.k), int8_t{-128}),
          std::vector<int8_t>(static_cast<std::size_t>(shape.n * shape.k), int8_t{-128})};
}

std::vector<int32_t> reference_product(const GemmShape& shape, const S8Operands& operands) {
  std::vector<int32_t> c(static_cast<std::size_t>(shape.m * shape.n));
  gemm_s8s8s32_reference(shape.m, shape.n, shape.k, operands.a.data(), operands.b.data(), c.data());
  return c;
}

// Prints how many outputs differ (and by how much at most) and requires none to.
void require_bit_exact(std::string_view what, const GemmShape& shape,
                       const std::vector<int32_t>& want, const std::vector<int32_t>& got) {
  std::size_t mismatches = 0;
  int64_t max_diff = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const int64_t diff = std::llabs(int64_t{got[i]} - int64_t{want[i]});
    if (diff != 0) ++mismatches;
    max_diff = std::max(max_diff, diff);
  }
  fmt::print("{} M={:<4} N={:<4} K={:<5} mismatches: {} of {}, max|gpu - cpu| = {}\n", what,
             shape.m, shape.n, shape.k, mismatches, want.size(), max_diff);
  INFO(what << " M=" << shape.m << " N=" << shape.n << " K=" << shape.k);
  CHECK(mismatches == 0);
}

void check_host(CudaS8Gemm variant, const GemmShape& shape, const S8Operands& operands) {
  std::vector<int32_t> got(static_cast<std::size_t>(shape.m * shape.n), kUnwritten);
  cuda_gemm_s8_host(variant, shape.m, shape.n, shape.k, operands.a, operands.b, got);
  require_bit_exact(gemm_variant_name(variant), shape, reference_product(shape, operands), got);
}

TEST_CASE("cuda.gemm_s8_dp4a_matches_reference") {
  test::require_cuda_device();
  // K % 4 != 0 takes the byte loop, K % 4 == 0 the __dp4a path; M = 1 and N = 1 are the
  // GEMV corners; K = 0 must write zeros.
  std::vector<GemmShape> shapes = {{1, 1, 1},      {1, 1, 4},    {3, 5, 7},     {1, 120, 400},
                                   {17, 1, 33},    {64, 64, 64}, {65, 63, 130}, {256, 120, 400},
                                   {33, 300, 784}, {5, 6, 0}};
  for (const GemmShape& shape : test::random_shapes(6, 200, 7)) shapes.push_back(shape);
  uint64_t seed = 300;
  for (const GemmShape& shape : shapes) {
    check_host(CudaS8Gemm::kDp4a, shape, random_operands(shape, seed += 2));
  }
  const GemmShape extreme{8, 12, 4096};  // sums of 2^26
  check_host(CudaS8Gemm::kDp4a, extreme, extreme_operands(extreme));
}

// Rows that start off a 4-byte boundary must take the byte loop even when K % 4 == 0.
TEST_CASE("cuda.gemm_s8_dp4a_handles_unaligned_rows") {
  test::require_cuda_device();
  const GemmShape shape{9, 10, 64};
  const S8Operands operands = random_operands(shape, 17);
  DeviceArray<int8_t> a_device(operands.a.size() + 1);
  DeviceArray<int8_t> b_device(operands.b.size() + 1);
  detail::copy_to_device(a_device.data() + 1, operands.a.data(), operands.a.size());
  detail::copy_to_device(b_device.data() + 1, operands.b.data(), operands.b.size());
  DeviceArray<int32_t> c_device(static_cast<std::size_t>(shape.m * shape.n));
  cuda_gemm_s8_dp4a(shape.m, shape.n, shape.k, a_device.data() + 1, b_device.data() + 1,
                    c_device.data());
  require_bit_exact("dp4a (rows at odd addresses)", shape, reference_product(shape, operands),
                    c_device.to_host());
}

TEST_CASE("cuda.gemm_s8_cublaslt_matches_reference") {
  test::require_cuda_device();
  // Within cuBLASLt's rules (K and N multiples of 4), M above 16; small M has its own test.
  const std::vector<GemmShape> shapes = {{17, 4, 4},      {33, 12, 20},    {64, 64, 64},
                                         {100, 300, 784}, {256, 120, 400}, {129, 256, 1024},
                                         {31, 8, 0}};
  uint64_t seed = 500;
  for (const GemmShape& shape : shapes) {
    check_host(CudaS8Gemm::kCublasLt, shape, random_operands(shape, seed += 2));
  }
  const GemmShape extreme{32, 64, 4096};
  check_host(CudaS8Gemm::kCublasLt, extreme, extreme_operands(extreme));
}

// M <= 16 (batch-1 inference) on its own: some libraries built on cuBLASLt refuse it
// (PyTorch's _int_mm requires M > 16), so a failure here is told apart from the above.
TEST_CASE("cuda.gemm_s8_cublaslt_small_m") {
  test::require_cuda_device();
  const std::vector<GemmShape> shapes = {{1, 4, 4},   {1, 120, 400}, {1, 300, 784},
                                         {2, 64, 64}, {8, 120, 400}, {16, 300, 784}};
  uint64_t seed = 700;
  for (const GemmShape& shape : shapes) {
    check_host(CudaS8Gemm::kCublasLt, shape, random_operands(shape, seed += 2));
  }
}

// The shape rules are checked before any CUDA call, so this runs on every machine.
TEST_CASE("cuda.gemm_s8_cublaslt_refuses_unsupported_shapes") {
  const std::string n_reason = cublaslt_s8_unsupported_reason(8, 6, 8, nullptr, nullptr, nullptr);
  const std::string k_reason = cublaslt_s8_unsupported_reason(8, 8, 6, nullptr, nullptr, nullptr);
  fmt::print("N=6: {}\nK=6: {}\n", n_reason, k_reason);
  CHECK(n_reason.find("N=6") != std::string::npos);
  CHECK(k_reason.find("K=6") != std::string::npos);
  CHECK(cublaslt_s8_unsupported_reason(1, 120, 400, nullptr, nullptr, nullptr).empty());
  CHECK_FALSE(cublaslt_s8_unsupported_reason(-1, 4, 4, nullptr, nullptr, nullptr).empty());

  // An address that is 1 mod 4, never dereferenced.
  const auto* odd = reinterpret_cast<const int8_t*>(std::uintptr_t{0x1001});
  CHECK(cublaslt_s8_unsupported_reason(4, 4, 4, odd, nullptr, nullptr).find("not 4-byte aligned") !=
        std::string::npos);

  CHECK_THROWS_AS(cuda_gemm_s8_cublaslt(8, 6, 8, nullptr, nullptr, nullptr), std::invalid_argument);
  const std::vector<int8_t> a(8 * 6);
  const std::vector<int8_t> b(8 * 6);
  std::vector<int32_t> c(8 * 8);
  CHECK_THROWS_AS(cuda_gemm_s8_host(CudaS8Gemm::kCublasLt, 8, 8, 6, a, b, c),
                  std::invalid_argument);
}

}  // namespace
}  // namespace slim
