// requantize_avx512.h's 32-bit-lane output stage against the reference arithmetic
// (requantize_channel), bit for bit, over the whole domain narrow_requantization_applies()
// admits: exponents 32 to 62, accumulators and biases up to the bound, both the broadcast
// (one channel) and the loaded (sixteen channels) constants, and exact ties of both signs.
#include <immintrin.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/requantize_avx512.h"
#include "kernels/int8/requantize_row.h"
#include "tests/cuda/skip.h"

#pragma GCC diagnostic ignored "-Wuninitialized"  // GCC 12's _mm512_undefined_epi32()

namespace slim {
namespace {

constexpr int64_t kProduct = 255 * 255;

// Sixteen codes of `acc`, the constants of channel `first + i` in lane i (Loaded), or of
// channel `first` in every lane.
template <bool Loaded>
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl"))) std::vector<int8_t> narrow_codes(
    const RowRequantization& r, int64_t first, const int32_t* acc) {
  const NarrowRequantization512 c =
      Loaded ? load_narrow_requantization(r.biases.data() + first, r.multipliers.data() + first,
                                          r.exponents.data() + first, 0xFFFF)
             : broadcast_narrow_requantization(r.biases[static_cast<size_t>(first)],
                                               r.multipliers[static_cast<size_t>(first)],
                                               r.exponents[static_cast<size_t>(first)]);
  const __m128i codes =
      requantize_sixteen_narrow(_mm512_loadu_si512(acc), c, _mm512_set1_epi32(r.zero_point),
                                _mm512_set1_epi32(r.qmin), _mm512_set1_epi32(r.qmax));
  std::vector<int8_t> out(16);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out.data()), codes);
  return out;
}

int64_t random_between(Rng& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng.below(static_cast<uint64_t>(hi - lo + 1)));
}

// Accumulators of a depth-term product: the extremes, small values, anything between.
int32_t random_accumulator(Rng& rng, int64_t depth) {
  const int64_t bound = depth * kProduct;
  switch (rng.below(4)) {
    case 0:
      return static_cast<int32_t>(bound);
    case 1:
      return static_cast<int32_t>(-bound);
    case 2:
      return static_cast<int32_t>(random_between(rng, -300, 300));
    default:
      return static_cast<int32_t>(random_between(rng, -bound, bound));
  }
}

// Sixteen channels the narrow stage accepts for `depth`: biases at and inside the bound,
// multipliers across [0, 2^31), exponents across [32, 62].
RowRequantization random_narrow_constants(Rng& rng, int64_t depth) {
  const int64_t largest_bias = (int64_t{1} << 31) - 1 - depth * kProduct;
  RowRequantization r;
  for (int o = 0; o < 16; ++o) {
    const uint64_t kind = rng.below(4);
    r.biases.push_back(kind == 0   ? largest_bias
                       : kind == 1 ? -largest_bias
                                   : random_between(rng, -largest_bias, largest_bias));
    r.multipliers.push_back(rng.below(8) == 0 ? static_cast<int32_t>(rng.below(1000))
                                              : static_cast<int32_t>(rng.below(1u << 31)));
    r.exponents.push_back(static_cast<int32_t>(32 + rng.below(31)));
  }
  r.zero_point = static_cast<int32_t>(rng.below(256)) - 128;
  r.qmin = rng.below(2) == 0 ? -128 : r.zero_point;  // plain, or with a fused ReLU
  r.qmax = 127;
  return r;
}

std::vector<int8_t> reference_codes(const RowRequantization& r, bool loaded, const int32_t* acc) {
  std::vector<int8_t> out(16);
  for (int64_t i = 0; i < 16; ++i)
    out[static_cast<size_t>(i)] = requantize_channel(r, loaded ? i : 0, acc[i]);
  return out;
}

TEST_CASE("requantize_sixteen_narrow: equals the reference where it applies",
          "[int8][int8_dispatch]") {
  if (const std::string why = avx512_unavailable_reason(); !why.empty()) {
    test::skip_test("requantize_sixteen_narrow", why);
  }
  Rng rng(81);
  int64_t compared = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const int64_t depth = trial % 3 == 0 ? 9 : random_between(rng, 1, 32000);
    const RowRequantization r = random_narrow_constants(rng, depth);
    REQUIRE(narrow_requantization_applies(r, depth));
    std::vector<int32_t> acc(16);
    for (int32_t& a : acc) a = random_accumulator(rng, depth);
    INFO("trial " << trial << ", depth " << depth);
    CHECK(narrow_codes<true>(r, 0, acc.data()) == reference_codes(r, true, acc.data()));
    CHECK(narrow_codes<false>(r, 0, acc.data()) == reference_codes(r, false, acc.data()));
    compared += 32;
  }
  CHECK(compared == 96000);
}

// Exact ties: M = 2^30 / 2^32 = 1/4 and sums of 4j + 2 are ties; in every lane parity,
// with positive and negative sums, and with the zero point off the clamp.
TEST_CASE("requantize_sixteen_narrow: ties round half away from zero", "[int8][int8_dispatch]") {
  if (const std::string why = avx512_unavailable_reason(); !why.empty()) {
    test::skip_test("requantize_sixteen_narrow", why);
  }
  RowRequantization r;
  r.biases.assign(16, 0);
  r.multipliers.assign(16, 1 << 30);
  r.exponents.assign(16, 32);
  r.zero_point = 0;
  std::vector<int32_t> acc(16);
  std::vector<int8_t> want(16);
  for (int i = 0; i < 16; ++i) {
    const int j = i / 2;
    acc[static_cast<size_t>(i)] = i % 2 == 0 ? 4 * j + 2 : -(4 * j + 2);
    // (4j + 2) / 4 = j + 1/2 -> j + 1, and its negation -> -(j + 1).
    want[static_cast<size_t>(i)] = static_cast<int8_t>(i % 2 == 0 ? j + 1 : -(j + 1));
  }
  CHECK(narrow_codes<true>(r, 0, acc.data()) == want);
  CHECK(narrow_codes<false>(r, 0, acc.data()) == want);
  CHECK(reference_codes(r, true, acc.data()) == want);
}

TEST_CASE("narrow_requantization_applies: the exponent range and the sum bound", "[int8]") {
  RowRequantization r;
  r.biases = {0};
  r.multipliers = {1 << 30};
  for (const auto& [exponent, applies] :
       std::vector<std::pair<int32_t, bool>>{{31, false}, {32, true}, {62, true}, {63, false}}) {
    r.exponents = {exponent};
    INFO("exponent " << exponent);
    CHECK(narrow_requantization_applies(r, 100) == applies);
  }
  r.exponents = {40};
  const int64_t depth = 1000;
  const int64_t largest_bias = (int64_t{1} << 31) - 1 - depth * kProduct;
  r.biases = {largest_bias};
  CHECK(narrow_requantization_applies(r, depth));
  r.biases = {largest_bias + 1};
  CHECK_FALSE(narrow_requantization_applies(r, depth));
  r.biases = {-largest_bias - 1};
  CHECK_FALSE(narrow_requantization_applies(r, depth));
  // No bias leaves room past 33025 terms.
  r.biases = {0};
  CHECK(narrow_requantization_applies(r, 33025));
  CHECK_FALSE(narrow_requantization_applies(r, 33026));
}

}  // namespace
}  // namespace slim
