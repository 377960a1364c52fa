// mann_whitney_greater against scipy 1.10:
//   scipy.stats.mannwhitneyu(current, base, alternative="greater", method="asymptotic",
//                            use_continuity=True)
#include "harness/report/rank_test.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

namespace slim {
namespace {

void check(const std::vector<double>& base, const std::vector<double>& current, double expected_u,
           double expected_p) {
  const RankTestResult result = mann_whitney_greater(base, current);
  CAPTURE(result.u, expected_u, result.p_value, expected_p);
  REQUIRE(result.u == Approx(expected_u));
  REQUIRE(result.p_value == Approx(expected_p).epsilon(1e-9));
  REQUIRE(result.n_base == base.size());
  REQUIRE(result.n_current == current.size());
}

TEST_CASE("rank test: shifted samples with ties across the two sides match scipy") {
  check({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 87.5,
        0.0025376961576369615);
}

TEST_CASE("rank test: many ties use average ranks and the tie-corrected variance") {
  check({1, 2, 2, 3, 3, 3, 4, 5, 5}, {3, 4, 4, 5, 5, 6, 6, 7, 8}, 69.5, 0.005369652195881222);
}

TEST_CASE("rank test: unequal sizes match scipy") {
  check({12.1, 12.4, 11.9, 12.0, 12.3, 12.2, 12.6, 12.5, 12.2, 12.0, 11.8},
        {12.3, 12.7, 12.9, 12.2, 13.1, 12.8, 12.6, 12.4, 13.0}, 87.5, 0.0021341444387900027);
}

TEST_CASE("rank test: a faster current is far from significant") {
  check({10, 11, 12, 13, 14, 15, 16, 17, 18}, {1, 2, 3, 4, 5, 6, 7, 8, 9.5}, 0.0,
        0.9998529194692304);
}

TEST_CASE("rank test: all values tied or an empty side give p = 1") {
  // Hand-computed: every pair ties, U = 9 * 0.5 = 4.5, variance 0, so no evidence.
  check({5, 5, 5}, {5, 5, 5}, 4.5, 1.0);
  const RankTestResult empty = mann_whitney_greater({}, std::vector<double>{1.0, 2.0});
  CAPTURE(empty.u, empty.p_value);
  REQUIRE(empty.p_value == 1.0);
}

TEST_CASE("rank test: hand-computed small case without ties") {
  // base {1, 2, 3}, current {4, 5, 6}: U = 9, mean 4.5, variance 3 * 3 * 7 / 12 = 5.25,
  // z = (9 - 4.5 - 0.5) / sqrt(5.25) = 1.745743, P(Z >= z) = 0.040428.
  check({1, 2, 3}, {4, 5, 6}, 9.0, 0.5 * std::erfc(4.0 / std::sqrt(5.25) / std::sqrt(2.0)));
  const RankTestResult result =
      mann_whitney_greater(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6});
  REQUIRE(result.p_value == Approx(0.040428).epsilon(1e-4));
}

}  // namespace
}  // namespace slim
