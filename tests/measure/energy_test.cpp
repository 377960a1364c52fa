// modelled_energy_j against sums worked out by hand from the Horowitz 45 nm table.
#include "harness/measure/energy.h"

#include <catch2/catch.hpp>
#include <stdexcept>

namespace slim {
namespace {

double energy_of(void (*fill)(WorkCounts&)) {
  WorkCounts counts;
  fill(counts);
  return modelled_energy_j(counts);
}

TEST_CASE("modelled energy prices each operation from the table", "[measure][energy]") {
  // fp32 MAC = 3.7 pJ mult + 0.9 pJ add; int8 MAC = 0.2 pJ int8 mult + 0.1 pJ int32 add.
  CHECK(energy_of([](WorkCounts& c) { c.fp32_macs = 1; }) == Approx(4.6e-12));
  CHECK(energy_of([](WorkCounts& c) { c.int8_macs = 1; }) == Approx(0.3e-12));
  CHECK(energy_of([](WorkCounts& c) { c.int32_adds = 1; }) == Approx(0.1e-12));
  CHECK(energy_of([](WorkCounts& c) { c.fp32_adds = 1; }) == Approx(0.9e-12));
  // Memory: one 32-bit access per 4 bytes, DRAM 640 pJ, SRAM 5 pJ.
  CHECK(energy_of([](WorkCounts& c) { c.dram_bytes = 4; }) == Approx(640e-12));
  CHECK(energy_of([](WorkCounts& c) { c.sram_bytes = 4; }) == Approx(5e-12));
  CHECK(modelled_energy_j(WorkCounts{}) == 0.0);
}

TEST_CASE("modelled energy sums a mixed workload", "[measure][energy]") {
  WorkCounts counts;
  counts.fp32_macs = 1e6;    // 4.6e6 pJ
  counts.int8_macs = 2e6;    // 0.6e6 pJ
  counts.int32_adds = 1000;  // 100 pJ
  counts.fp32_adds = 500;    // 450 pJ
  counts.dram_bytes = 4096;  // 1024 accesses: 655360 pJ
  counts.sram_bytes = 800;   // 200 accesses: 1000 pJ
  const double by_hand_j = 5'856'910e-12;
  const double ours = modelled_energy_j(counts);
  INFO("ours=" << ours << " J, by hand=" << by_hand_j << " J");
  CHECK(ours == Approx(by_hand_j).epsilon(1e-12));
}

TEST_CASE("int8 inference is modelled cheaper than fp32 by the table's ratio",
          "[measure][energy]") {
  WorkCounts fp32;
  fp32.fp32_macs = 1000;
  WorkCounts int8;
  int8.int8_macs = 1000;
  const double ratio = modelled_energy_j(fp32) / modelled_energy_j(int8);
  INFO("fp32/int8 MAC energy ratio=" << ratio << " (4.6 / 0.3)");
  CHECK(ratio == Approx(4.6 / 0.3));
}

TEST_CASE("modelled energy rejects negative counts", "[measure][energy]") {
  WorkCounts counts;
  counts.sram_bytes = -1;
  CHECK_THROWS_AS(modelled_energy_j(counts), std::invalid_argument);
}

TEST_CASE("modelled energy source names the model", "[measure][energy]") {
  CHECK(kModelledEnergySource == "model-horowitz45");
}

}  // namespace
}  // namespace slim
