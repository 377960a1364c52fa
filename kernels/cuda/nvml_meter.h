// An EnergyMeter on a GPU's cumulative energy counter, read through NVML
// (nvmlDeviceGetTotalEnergyConsumption: millijoules since the driver was loaded, Volta
// and newer).
//
// libnvidia-ml.so.1 ships with the NVIDIA driver, not the CUDA toolkit, so it is opened
// with dlopen when a meter is opened, never linked: binaries built here must still start
// on machines without a driver (CI). A missing library, an NVML error or a GPU that does
// not count energy (older than Volta, some VMs and MIG setups) is a normal state, so
// opening reports why instead of throwing, like open_rapl_meter.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "harness/measure/energy.h"

namespace slim {

inline constexpr std::string_view kNvmlEnergySource = "nvml";

// A meter for CUDA device `cuda_device` (matched to NVML by PCI bus id, so
// CUDA_VISIBLE_DEVICES and NVML's own ordering cannot mix GPUs up). Returns nullptr,
// with the reason in *why when given, when the counter cannot be read. joules() counts
// from the moment of opening and throws std::runtime_error if a later read fails.
std::unique_ptr<EnergyMeter> open_nvml_meter(int cuda_device = 0, std::string* why = nullptr);

}  // namespace slim
