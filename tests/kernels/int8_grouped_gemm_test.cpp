// The per-group output stage fused into the int8 GEMM (multiply_grouped_requantize)
// against its plain reference, bit for bit: random shapes with 1 to 13 rows (every row
// block and tail), columns across panel edges, depths that leave a short last group,
// groups of 4 to 64 codes, int8 and 4-bit weights, and the -128 extremes; plus the
// reference itself on a hand-computed product and the constants' checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "kernels/int8/grouped_column_requantization.h"
#include "tests/cuda/skip.h"

namespace slim {
namespace {

std::vector<int8_t> random_codes(int64_t count, int lowest, int highest, Rng& rng) {
  std::vector<int8_t> codes(static_cast<size_t>(count));
  for (int8_t& c : codes) {
    c = static_cast<int8_t>(lowest + static_cast<int>(rng.below(highest - lowest + 1)));
  }
  return codes;
}

// Constants for n columns of a depth-k product in groups of `group_size`: most columns
// scaled so that codes spread over the int8 range (shift about 30 + log2(74 w sqrt(K) /
// 64) for weights of RMS w, multipliers in [2^29, 2^30)), some with any shift and multiplier
// (mostly clamped), biases small or large; the weight sums from B.
GroupedColumnRequantization random_stage(int64_t n, int64_t k, int64_t group_size,
                                         const std::vector<int8_t>& b, Rng& rng) {
  GroupedColumnRequantization r;
  r.group_size = group_size;
  const int64_t groups = (k + group_size - 1) / group_size;
  double squares = 0;
  for (const int8_t code : b) squares += static_cast<double>(code) * code;
  const double weight_rms = std::sqrt(squares / static_cast<double>(b.size()));
  const double typical = 74.0 * std::max(weight_rms, 1.0) * std::sqrt(static_cast<double>(k));
  const int spread = 30 + static_cast<int>(std::lround(std::log2(typical / 64)));
  std::vector<bool> spreads;
  for (int64_t j = 0; j < n; ++j) {
    spreads.push_back(rng.below(4) != 0);
    r.shifts.push_back(spreads.back() ? spread : static_cast<int32_t>(rng.below(63)));
    r.biases.push_back(rng.below(2) == 0
                           ? static_cast<int64_t>(rng.below(2001)) - 1000
                           : static_cast<int64_t>(rng.next_u64() >> 4) - (int64_t{1} << 59));
  }
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t j = 0; j < n; ++j) {
      r.multipliers.push_back(spreads[static_cast<size_t>(j)]
                                  ? static_cast<int32_t>((1u << 29) + rng.below(1u << 29))
                                  : static_cast<int32_t>(rng.below(1u << 31)));
      int32_t sum = 0;
      for (int64_t kk = g * group_size; kk < std::min(k, (g + 1) * group_size); ++kk) {
        sum += b[static_cast<size_t>(j * k + kk)];
      }
      r.weight_sums.push_back(sum);
    }
  }
  r.zero_point = static_cast<int32_t>(rng.below(256)) - 128;
  r.qmin = rng.below(2) == 0 ? -128 : r.zero_point;  // plain, or with a fused ReLU
  return r;
}

TEST_CASE("the grouped output stage's reference scales each group's sum, then rounds once",
          "[int8]") {
  // One row, two columns, K = 6 in groups of 4 (the second group has 2 codes).
  const std::vector<int8_t> a = {1, 2, 3, 4, 5, 6};
  const std::vector<int8_t> b = {1,  1, 1, 1, 1, 1,  //
                                 -1, 0, 0, 0, 2, -3};
  GroupedColumnRequantization r;
  r.group_size = 4;
  r.multipliers = {2, 1, 3, 8};  // [G][N]: group 0 then group 1
  r.weight_sums = {4, -1, 2, -1};
  r.shifts = {2, 3};
  r.biases = {1, -4};
  r.zero_point = 5;
  std::vector<int8_t> c(2);
  multiply_grouped_requantize_reference(1, 2, 6, a.data(), b.data(), r, c.data());
  // Column 0: groups sum to 10 and 11; T = 1 + 2 * 10 + 3 * 11 = 54; 54 / 4 = 13.5 -> 14.
  // Column 1: groups sum to -1 and 10 - 18 = -8; T = -4 - 1 - 64 = -69; -69 / 8 = -8.625
  // -> -9. Plus the zero point 5.
  CHECK(c == std::vector<int8_t>{19, -4});
}

TEST_CASE("the grouped output stage refuses constants that do not fit", "[int8]") {
  Rng rng(11);
  const std::vector<int8_t> b = random_codes(3 * 20, -128, 127, rng);
  const GroupedColumnRequantization good = random_stage(3, 20, 8, b, rng);
  CHECK_NOTHROW(check_grouped_requantization(good, 3, 20));
  GroupedColumnRequantization bad = good;
  bad.group_size = 6;
  CHECK_THROWS_AS(check_grouped_requantization(bad, 3, 20), std::logic_error);
  CHECK_THROWS_AS(check_grouped_requantization(good, 3, 40), std::logic_error);  // 5 groups
  bad = good;
  bad.multipliers[1] = -1;
  CHECK_THROWS_AS(check_grouped_requantization(bad, 3, 20), std::logic_error);
  bad = good;
  bad.shifts[2] = 63;
  CHECK_THROWS_AS(check_grouped_requantization(bad, 3, 20), std::logic_error);
  // The per-call check takes the sizes only: the values are the builder's, checked once.
  CHECK_NOTHROW(check_grouped_requantization_shape(bad, 3, 20));
  CHECK_THROWS_AS(check_grouped_requantization_shape(good, 3, 40), std::logic_error);
  CHECK_THROWS_AS(check_grouped_requantization_shape(good, 4, 20), std::logic_error);
  bad = good;
  bad.group_size = 6;
  CHECK_THROWS_AS(check_grouped_requantization_shape(bad, 3, 20), std::logic_error);
  bad = good;
  bad.weight_sums.pop_back();
  CHECK_THROWS_AS(check_grouped_requantization_shape(bad, 3, 20), std::logic_error);
}

struct GroupedCase {
  int64_t m, n, k, group_size;
};

std::vector<GroupedCase> grouped_cases(Rng& rng) {
  std::vector<GroupedCase> cases = {{1, 500, 800, 32}, {1, 10, 500, 32},  {4, 33, 64, 4},
                                    {5, 16, 70, 8},    {13, 47, 130, 64}, {256, 40, 96, 32},
                                    {2, 1, 3, 4},      {9, 70, 257, 16}};
  for (int i = 0; i < 40; ++i) {
    const int64_t group_size = 4 << rng.below(5);  // 4 to 64
    cases.push_back({1 + static_cast<int64_t>(rng.below(13)),
                     1 + static_cast<int64_t>(rng.below(70)),
                     1 + static_cast<int64_t>(rng.below(300)), group_size});
  }
  return cases;
}

// Codes of `kernel`'s fused path against the reference, with a guard after C; counts the
// codes the arithmetic (not the clamp) decided into `interior`.
int64_t grouped_mismatches(const GemmS8Kernel& kernel, const PackedS8Weights& packed,
                           const GroupedCase& c, const std::vector<int8_t>& a,
                           const std::vector<int8_t>& b, const GroupedColumnRequantization& r,
                           int64_t& interior) {
  std::vector<int8_t> want(static_cast<size_t>(c.m * c.n));
  multiply_grouped_requantize_reference(c.m, c.n, c.k, a.data(), b.data(), r, want.data());
  constexpr int8_t kGuard = 99;
  std::vector<int8_t> got(want.size() + 64, kGuard);
  kernel.multiply_grouped_requantize(c.m, a.data(), packed, r, got.data());
  int64_t count = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    count += got[i] != want[i];
    interior += want[i] > r.qmin && want[i] < r.qmax;
  }
  for (size_t i = want.size(); i < got.size(); ++i) count += got[i] != kGuard;
  return count;
}

TEST_CASE("int8 GEMM variants with a per-group output stage equal the reference",
          "[int8_dispatch]") {
  int variants_checked = 0;
  for (const GemmS8Kernel& kernel : gemm_s8_kernels()) {
    if (kernel.multiply_grouped_requantize == nullptr || !kernel.available()) continue;
    ++variants_checked;
    Rng rng(505);
    int64_t compared = 0, interior = 0;
    for (const GroupedCase& c : grouped_cases(rng)) {
      for (const bool nibbles : {false, true}) {
        if (nibbles && kernel.pack_int4 == nullptr) continue;
        const std::vector<int8_t> a = random_codes(c.m * c.k, -128, 127, rng);
        const std::vector<int8_t> b =
            nibbles ? random_codes(c.n * c.k, -8, 7, rng) : random_codes(c.n * c.k, -128, 127, rng);
        const GroupedColumnRequantization r = random_stage(c.n, c.k, c.group_size, b, rng);
        const PackedS8Weights packed =
            nibbles ? kernel.pack_int4(c.n, c.k, b.data()) : kernel.pack(c.n, c.k, b.data());
        INFO(kernel.name << (nibbles ? " int4" : " int8") << ": M=" << c.m << " N=" << c.n
                         << " K=" << c.k << " groups of " << c.group_size);
        CHECK(grouped_mismatches(kernel, packed, c, a, b, r, interior) == 0);
        compared += c.m * c.n;
      }
    }
    // Most codes must come from the arithmetic, not from the clamp.
    CHECK(interior > compared / 4);
    // The extremes: every code -128, K = 4099 in groups of 32 (a short last group).
    const GroupedCase extreme{9, 35, 4099, 32};
    const std::vector<int8_t> a(static_cast<size_t>(extreme.m * extreme.k), int8_t{-128});
    const std::vector<int8_t> b(static_cast<size_t>(extreme.n * extreme.k), int8_t{-128});
    const GroupedColumnRequantization r =
        random_stage(extreme.n, extreme.k, extreme.group_size, b, rng);
    int64_t unused = 0;
    CHECK(grouped_mismatches(kernel, kernel.pack(extreme.n, extreme.k, b.data()), extreme, a, b, r,
                             unused) == 0);
  }
  // avx512_vnni has the path: a CPU that runs it must have checked it.
  if (const std::string why = find_gemm_s8_kernel("avx512_vnni").unavailable_reason();
      !why.empty()) {
    test::skip_test("the avx512_vnni grouped output stage", why);
  }
  CHECK(variants_checked >= 1);
}

}  // namespace
}  // namespace slim
