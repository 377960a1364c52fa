// Energy per inference: measured by a hardware counter when one is readable, otherwise
// estimated from counted work with a published per-operation energy table.
//
// Every energy figure carries its source ("rapl", "nvml" or kModelledEnergySource) so a
// modelled estimate is never mistaken for a measurement; measured values take precedence.
#pragma once

#include <string>
#include <string_view>

namespace slim {

// A cumulative hardware energy counter: RAPL for the host CPU, NVML for a GPU.
class EnergyMeter {
 public:
  virtual ~EnergyMeter() = default;
  // Joules consumed since the meter was opened. Never decreases: implementations unwrap
  // hardware counters that wrap around, provided they are read at least once per wrap
  // period (minutes for RAPL at full package power).
  virtual double joules() = 0;
  // Where the figure comes from, e.g. "rapl" or "nvml".
  virtual std::string source() const = 0;
};

// What one inference does, counted by the harness from the model.
struct WorkCounts {
  double fp32_macs = 0;
  double int8_macs = 0;   // int8 x int8 products accumulated in int32
  double int32_adds = 0;  // e.g. bias additions in integer-only inference
  double fp32_adds = 0;
  double dram_bytes = 0;  // e.g. weights fetched from DRAM once per inference
  double sram_bytes = 0;  // e.g. activations read and written
};

inline constexpr std::string_view kModelledEnergySource = "model-horowitz45";

// Energy per operation at 45 nm, 0.9 V, from M. Horowitz, "Computing's energy problem
// (and what we can do about it)", ISSCC 2014; the memory figures per 32-bit access as
// tabulated by Han et al., "EIE", ISCA 2016. Values in picojoules (see REFERENCE.md).
namespace horowitz45 {
inline constexpr double kInt8AddPj = 0.03;
inline constexpr double kInt8MultPj = 0.2;
inline constexpr double kInt32AddPj = 0.1;
inline constexpr double kInt32MultPj = 3.1;
inline constexpr double kFp16AddPj = 0.4;
inline constexpr double kFp16MultPj = 1.1;
inline constexpr double kFp32AddPj = 0.9;
inline constexpr double kFp32MultPj = 3.7;
inline constexpr double kSramAccess32BitPj = 5.0;
inline constexpr double kDramAccess32BitPj = 640.0;
}  // namespace horowitz45

// Joules for `counts` under the Horowitz 45 nm table. A MAC costs one multiply plus one
// add; an int8 MAC adds in int32 (int8 multiply 0.2 pJ + int32 add 0.1 pJ) because
// quantized inference accumulates int8 products in int32 to avoid overflow. Memory costs
// one 32-bit access per 4 bytes. Throws std::invalid_argument for a negative count.
double modelled_energy_j(const WorkCounts& counts);

}  // namespace slim
