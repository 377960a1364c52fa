// The C++ KL search against scripts/kl_reference.py: each fixture under
// tests/fixtures/kl holds a histogram and the threshold bin the Python reference chose
// (generated with --generate from fixed seeds); the C++ search must pick the same bin.
// The fixtures are committed, so a missing folder fails rather than skips.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "methods/quantization/calibration/histogram.h"
#include "methods/quantization/calibration/thresholds.h"

namespace slim {
namespace {

std::vector<std::filesystem::path> kl_fixture_paths() {
  const std::filesystem::path folder =
      std::filesystem::path(SLIMBENCH_SOURCE_DIR) / "tests" / "fixtures" / "kl";
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST_CASE("kl threshold matches the Python reference on every fixture",
          "[quant][calibration][kl]") {
  const std::vector<std::filesystem::path> paths = kl_fixture_paths();
  REQUIRE(paths.size() >= 4);
  for (const std::filesystem::path& path : paths) {
    std::ifstream in(path);
    const nlohmann::json fixture = nlohmann::json::parse(in);
    const auto counts = fixture.at("counts").get<std::vector<int64_t>>();
    const double bin_width = fixture.at("bin_width").get<double>();
    const int bits = fixture.at("bits").get<int>();
    const auto histogram = AbsHistogram::from_counts(
        static_cast<float>(bin_width * static_cast<double>(counts.size())), counts);

    const int64_t chosen = kl_threshold_bin(histogram, bits);
    const int64_t expected = fixture.at("threshold_bin").get<int64_t>();
    INFO(path.filename().string() << ": C++ bin " << chosen << ", Python bin " << expected
                                  << " (amax " << kl_threshold(histogram, bits) << " vs "
                                  << fixture.at("amax").get<double>() << ")");
    CHECK(chosen == expected);
    CHECK(kl_threshold(histogram, bits) == Approx(fixture.at("amax").get<double>()).epsilon(1e-6));
  }
}

}  // namespace
}  // namespace slim
