// Percentiles, mean and standard deviation against values numpy computed
// (numpy.percentile default method, numpy.std(ddof=1)), and the kept-sample subsample.
#include "harness/measure/statistics.h"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

namespace slim {
namespace {

struct Expected {
  double q;
  double numpy;
};

void check_percentiles(const std::vector<double>& values, const std::vector<Expected>& expected) {
  for (const Expected& e : expected) {
    const double ours = percentile(values, e.q);
    INFO("q=" << e.q << " ours=" << ours << " numpy=" << e.numpy);
    CHECK(ours == Approx(e.numpy).epsilon(1e-12));
  }
}

TEST_CASE("percentile matches numpy on five unsorted values", "[measure][statistics]") {
  // numpy.percentile([40, 15, 50, 35, 20], q)
  check_percentiles({40, 15, 50, 35, 20},
                    {{0, 15.0}, {25, 20.0}, {50, 35.0}, {90, 46.0}, {99, 49.6}, {100, 50.0}});
}

TEST_CASE("percentile matches numpy on ten fractional values", "[measure][statistics]") {
  check_percentiles({3.1, 0.5, 7.25, 2.0, 9.0, 4.4, 1.0, 6.6, 8.8, 5.5},
                    {{10, 0.95}, {33, 3.067}, {50, 4.95}, {90, 8.82}, {99, 8.982}});
}

TEST_CASE("percentile of one value is that value", "[measure][statistics]") {
  CHECK(percentile({7.5}, 0) == 7.5);
  CHECK(percentile({7.5}, 50) == 7.5);
  CHECK(percentile({7.5}, 100) == 7.5);
}

TEST_CASE("percentile rejects empty input and q outside 0 to 100", "[measure][statistics]") {
  CHECK_THROWS_AS(percentile({}, 50), std::invalid_argument);
  CHECK_THROWS_AS(percentile({1, 2}, -1), std::invalid_argument);
  CHECK_THROWS_AS(percentile({1, 2}, 100.5), std::invalid_argument);
}

TEST_CASE("mean and sample stddev match numpy", "[measure][statistics]") {
  const std::vector<double> five = {40, 15, 50, 35, 20};
  INFO("mean=" << mean(five) << " stddev=" << sample_stddev(five)
               << " numpy: 32.0 14.404860290887934");
  CHECK(mean(five) == Approx(32.0));
  CHECK(sample_stddev(five) == Approx(14.404860290887934).epsilon(1e-12));
  const std::vector<double> ten = {3.1, 0.5, 7.25, 2.0, 9.0, 4.4, 1.0, 6.6, 8.8, 5.5};
  CHECK(mean(ten) == Approx(4.815));
  CHECK(sample_stddev(ten) == Approx(3.112523984735789).epsilon(1e-12));
  CHECK(sample_stddev({4.0}) == 0.0);
  CHECK_THROWS_AS(mean({}), std::invalid_argument);
}

TEST_CASE("sample stddev stays exact for a small spread around a large mean",
          "[measure][statistics]") {
  // 1e9 + {0, 1, 2}: stddev 1. The one-pass sum-of-squares formula loses it entirely.
  const std::vector<double> values = {1e9, 1e9 + 1, 1e9 + 2};
  INFO("stddev=" << sample_stddev(values));
  CHECK(sample_stddev(values) == Approx(1.0).epsilon(1e-9));
}

TEST_CASE("evenly spaced subsample keeps first and last in order", "[measure][statistics]") {
  std::vector<double> values;
  for (int i = 0; i < 1000; ++i) values.push_back(i);
  const std::vector<double> kept = evenly_spaced_subsample(values, 100);
  INFO("kept " << kept.size() << " from " << kept.front() << " to " << kept.back());
  REQUIRE(kept.size() == 100);
  CHECK(kept.front() == 0);
  CHECK(kept.back() == 999);
  for (std::size_t i = 1; i < kept.size(); ++i) {
    CHECK(kept[i] > kept[i - 1]);
    // Even spacing: 999 / 99 = 10.09 apart, so every gap is 10 or 11.
    CHECK(kept[i] - kept[i - 1] >= 10);
    CHECK(kept[i] - kept[i - 1] <= 11);
  }
}

TEST_CASE("evenly spaced subsample keeps everything when under the cap", "[measure][statistics]") {
  const std::vector<double> values = {5, 3, 9};
  CHECK(evenly_spaced_subsample(values, 3) == values);
  CHECK(evenly_spaced_subsample(values, 512) == values);
  CHECK(evenly_spaced_subsample(values, 1) == std::vector<double>{5});
}

}  // namespace
}  // namespace slim
