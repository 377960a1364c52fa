// requantize_row_avx2 against requantize_row_reference, bit for bit: random channel counts
// (so the scalar tail runs), multipliers, exponents from 0 to 62, zero points and clamp
// ranges, accumulators and biases up to the int32 extremes; plus hand-computed ties.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/rng.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/requantize_row.h"
#include "tests/cuda/skip.h"

namespace slim {
namespace {

int32_t random_int32(Rng& rng) {
  switch (rng.below(4)) {
    case 0:
      return std::numeric_limits<int32_t>::min();
    case 1:
      return std::numeric_limits<int32_t>::max();
    case 2:
      return static_cast<int32_t>(rng.below(2001)) - 1000;
    default:
      return static_cast<int32_t>(static_cast<uint32_t>(rng.next_u64()));
  }
}

RowRequantization random_constants(int64_t channels, Rng& rng) {
  RowRequantization r;
  for (int64_t o = 0; o < channels; ++o) {
    r.biases.push_back(random_int32(rng));
    r.multipliers.push_back(static_cast<int32_t>((1u << 30) + rng.below(1u << 30)));
    r.exponents.push_back(static_cast<int32_t>(rng.below(63)));
  }
  r.zero_point = static_cast<int32_t>(rng.below(256)) - 128;
  r.qmin = rng.below(2) == 0 ? -128 : r.zero_point;  // plain, or with a fused ReLU
  r.qmax = 127;
  return r;
}

TEST_CASE("requantize_row: the reference rounds ties half away from zero", "[int8]") {
  RowRequantization r;
  r.biases = {0, 0, 0, 3};
  r.multipliers = {1 << 30, 1 << 30, 1 << 30, 1 << 30};  // 0.5
  r.exponents = {31, 31, 31, 31};                        // x * 2^30 / 2^31 = x / 2
  r.zero_point = 10;
  const std::vector<int32_t> acc = {5, -5, 4, -300};
  std::vector<int8_t> out(4);
  requantize_row_reference(r, acc.data(), out.data());
  // 2.5 -> 3, -2.5 -> -3, 2 -> 2, (-300 + 3) / 2 = -148.5 -> -149 -> clamped at -128.
  CHECK(out == std::vector<int8_t>{13, 7, 12, -128});
}

using RequantizeRow = void (*)(const RowRequantization&, const int32_t*, int8_t*);

// 400 random rows of 1 to 36 channels: every tail length of both vector widths.
void check_against_reference(RequantizeRow variant) {
  Rng rng(77);
  int64_t compared = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t channels = 1 + static_cast<int64_t>(rng.below(37));
    const RowRequantization r = random_constants(channels, rng);
    std::vector<int32_t> acc(static_cast<size_t>(channels));
    for (int32_t& a : acc) a = random_int32(rng);
    // A guard byte after the row: a masked store must not write past it.
    std::vector<int8_t> want(acc.size()), got(acc.size() + 1, 99);
    requantize_row_reference(r, acc.data(), want.data());
    variant(r, acc.data(), got.data());
    INFO("trial " << trial << ", " << channels << " channels");
    REQUIRE(got.back() == 99);
    got.pop_back();
    REQUIRE(got == want);
    compared += channels;
  }
  CHECK(compared > 4000);
}

TEST_CASE("requantize_row: AVX2 equals the reference", "[int8][int8_dispatch]") {
  if (const std::string why = avx2_unavailable_reason(); !why.empty()) {
    test::skip_test("requantize_row_avx2", why);
  }
  check_against_reference(requantize_row_avx2);
}

TEST_CASE("requantize_row: AVX-512 equals the reference", "[int8][int8_dispatch]") {
  if (const std::string why = avx512_unavailable_reason(); !why.empty()) {
    test::skip_test("requantize_row_avx512", why);
  }
  check_against_reference(requantize_row_avx512);
}

// Columns: random blocks of 1 to 70 pixels (every tail of the 16-pixel step) and 1 to 36
// channels, against the per-element reference, with a guard byte after the planes.
TEST_CASE("requantize_columns: AVX-512 equals the reference", "[int8][int8_dispatch]") {
  if (const std::string why = avx512_unavailable_reason(); !why.empty()) {
    test::skip_test("requantize_columns_avx512", why);
  }
  Rng rng(78);
  int64_t compared = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t channels = 1 + static_cast<int64_t>(rng.below(36));
    const int64_t pixels = 1 + static_cast<int64_t>(rng.below(70));
    const RowRequantization r = random_constants(channels, rng);
    std::vector<int32_t> acc(static_cast<size_t>(channels * pixels));
    for (int32_t& a : acc) a = random_int32(rng);
    std::vector<int8_t> want(acc.size()), got(acc.size() + 1, 99);
    requantize_columns_reference(r, acc.data(), pixels, want.data());
    requantize_columns_avx512(r, acc.data(), pixels, got.data());
    INFO("trial " << trial << ", " << channels << " channels, " << pixels << " pixels");
    REQUIRE(got.back() == 99);
    got.pop_back();
    REQUIRE(got == want);
    compared += channels * pixels;
  }
  CHECK(compared > 100000);
}

// The dispatching entry point, whichever variant it picks here, transposes what
// requantize_row computes per row.
TEST_CASE("requantize_columns: the rows' codes, channel-major", "[int8]") {
  Rng rng(79);
  const int64_t channels = 20, pixels = 37;
  const RowRequantization r = random_constants(channels, rng);
  std::vector<int32_t> acc(static_cast<size_t>(channels * pixels));
  for (int32_t& a : acc) a = random_int32(rng);
  std::vector<int8_t> got(acc.size()), row(static_cast<size_t>(channels));
  requantize_columns(r, acc.data(), pixels, got.data());
  for (int64_t p = 0; p < pixels; ++p) {
    requantize_row_reference(r, acc.data() + p * channels, row.data());
    for (int64_t o = 0; o < channels; ++o) {
      INFO("pixel " << p << ", channel " << o);
      CHECK(got[static_cast<size_t>(o * pixels + p)] == row[static_cast<size_t>(o)]);
    }
  }
}

}  // namespace
}  // namespace slim
