// open_rapl_meter on fake powercap trees: which domains it sums, counter wraparound, and
// the reasons it gives when there is nothing to read.
#include "harness/measure/rapl_meter.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/datasets/temp_dir.h"

namespace slim {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::trunc);
  out << text << '\n';
}

// A zone directory the way the kernel lays it out: name, energy_uj, max_energy_range_uj.
fs::path add_zone(const fs::path& root, const std::string& dir, const std::string& name,
                  uint64_t energy_uj, uint64_t max_range_uj) {
  const fs::path zone = root / dir;
  fs::create_directories(zone);
  write_text(zone / "name", name);
  write_text(zone / "energy_uj", std::to_string(energy_uj));
  write_text(zone / "max_energy_range_uj", std::to_string(max_range_uj));
  return zone;
}

void set_energy(const fs::path& zone, uint64_t energy_uj) {
  write_text(zone / "energy_uj", std::to_string(energy_uj));
}

TEST_CASE("rapl sums package domains and unwraps the counter", "[measure][rapl]") {
  TempDir tmp("rapl");
  const fs::path root = tmp.path();
  fs::create_directories(root / "intel-rapl");  // the control type directory, not a zone
  const fs::path package0 = add_zone(root, "intel-rapl:0", "package-0", 900'000, 1'000'000);
  const fs::path package1 = add_zone(root, "intel-rapl:1", "package-1", 100, 1'000'000);
  // Overlap the packages, so summing them would double count:
  const fs::path core = add_zone(root, "intel-rapl:0:0", "core", 5, 1'000'000);
  const fs::path psys = add_zone(root, "intel-rapl:2", "psys", 7, 1'000'000);

  std::string why = "stale";
  const auto meter = open_rapl_meter(root, &why);
  REQUIRE(meter != nullptr);
  CHECK(why.empty());
  CHECK(meter->source() == "rapl");
  CHECK(meter->joules() == 0.0);  // counts from opening

  set_energy(package0, 950'000);  // +50000 uJ
  set_energy(package1, 300);      // +200 uJ
  set_energy(core, 999'999);      // ignored
  set_energy(psys, 999'999);      // ignored
  const double before_wrap = meter->joules();
  INFO("before wrap: " << before_wrap << " J, expected 0.0502");
  CHECK(before_wrap == Approx(0.0502));

  set_energy(package0, 20'000);  // wrapped: (1000000 - 950000) + 20000 = 70000 uJ more
  const double after_wrap = meter->joules();
  INFO("after wrap: " << after_wrap << " J, expected 0.1202");
  CHECK(after_wrap == Approx(0.1202));
  CHECK(after_wrap >= before_wrap);
}

TEST_CASE("rapl gives a reason when the powercap root is missing", "[measure][rapl]") {
  TempDir tmp("rapl-missing");
  std::string why;
  CHECK(open_rapl_meter(tmp.path() / "no-such-dir", &why) == nullptr);
  INFO("why: " << why);
  CHECK(why.find("does not exist") != std::string::npos);
  CHECK(open_rapl_meter(tmp.path() / "no-such-dir") == nullptr);  // why is optional
}

TEST_CASE("rapl gives a reason when there is no package domain", "[measure][rapl]") {
  TempDir tmp("rapl-empty");
  add_zone(tmp.path(), "intel-rapl:0", "psys", 1, 10);
  std::string why;
  CHECK(open_rapl_meter(tmp.path(), &why) == nullptr);
  INFO("why: " << why);
  CHECK(why.find("no intel-rapl") != std::string::npos);
}

TEST_CASE("rapl gives a reason when energy_uj cannot be read", "[measure][rapl]") {
  TempDir tmp("rapl-unreadable");
  const fs::path zone = add_zone(tmp.path(), "intel-rapl:0", "package-0", 1, 10);
  // A missing file rather than chmod 000, which root (CI containers) reads anyway.
  fs::remove(zone / "energy_uj");
  std::string why;
  CHECK(open_rapl_meter(tmp.path(), &why) == nullptr);
  INFO("why: " << why);
  CHECK(why.find("energy_uj") != std::string::npos);
}

TEST_CASE("rapl on this machine opens or says why not", "[measure][rapl]") {
  std::string why;
  const auto meter = open_rapl_meter(&why);
  std::cout << "this machine's RAPL: "
            << (meter ? "readable, " + std::to_string(meter->joules()) + " J" : "absent: " + why)
            << '\n';
  CHECK((meter != nullptr) == why.empty());
}

}  // namespace
}  // namespace slim
