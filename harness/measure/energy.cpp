#include "harness/measure/energy.h"

#include <stdexcept>
#include <string>

namespace slim {
namespace {

constexpr double kJoulesPerPicojoule = 1e-12;
constexpr double kBytesPer32BitAccess = 4.0;

void require_non_negative(double count, const char* name) {
  if (!(count >= 0.0)) {
    throw std::invalid_argument(std::string("WorkCounts.") + name +
                                " must be a non-negative number, got " + std::to_string(count));
  }
}

void require_valid(const WorkCounts& counts) {
  require_non_negative(counts.fp32_macs, "fp32_macs");
  require_non_negative(counts.int8_macs, "int8_macs");
  require_non_negative(counts.int32_adds, "int32_adds");
  require_non_negative(counts.fp32_adds, "fp32_adds");
  require_non_negative(counts.dram_bytes, "dram_bytes");
  require_non_negative(counts.sram_bytes, "sram_bytes");
}

double arithmetic_pj(const WorkCounts& counts) {
  using namespace horowitz45;
  const double fp32_mac_pj = kFp32MultPj + kFp32AddPj;
  const double int8_mac_pj = kInt8MultPj + kInt32AddPj;  // int32 accumulation, see header
  return counts.fp32_macs * fp32_mac_pj + counts.int8_macs * int8_mac_pj +
         counts.int32_adds * kInt32AddPj + counts.fp32_adds * kFp32AddPj;
}

double memory_pj(const WorkCounts& counts) {
  using namespace horowitz45;
  return counts.dram_bytes / kBytesPer32BitAccess * kDramAccess32BitPj +
         counts.sram_bytes / kBytesPer32BitAccess * kSramAccess32BitPj;
}

}  // namespace

double modelled_energy_j(const WorkCounts& counts) {
  require_valid(counts);
  return (arithmetic_pj(counts) + memory_pj(counts)) * kJoulesPerPicojoule;
}

}  // namespace slim
