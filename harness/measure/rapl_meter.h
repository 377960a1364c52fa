// RAPL: the CPU package energy counters Linux exposes under /sys/class/powercap.
//
// Most VMs and containers have no /sys/class/powercap, and since 2020 kernels make
// energy_uj readable by root only (CVE-2020-8694); both are normal, so opening reports
// why it failed instead of throwing.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "harness/measure/energy.h"

namespace slim {

inline constexpr std::string_view kRaplEnergySource = "rapl";
inline constexpr std::string_view kDefaultPowercapRoot = "/sys/class/powercap";

// A meter summing every CPU package domain (intel-rapl:<N> whose name is "package-<N>";
// their core/uncore/dram subdomains and the "psys" platform domain are left out because
// they overlap the packages). Returns nullptr, with the reason in *why when given, when
// there is no such domain or one cannot be read.
std::unique_ptr<EnergyMeter> open_rapl_meter(std::string* why = nullptr);

// The same under another powercap root, so tests can point it at a fake tree.
std::unique_ptr<EnergyMeter> open_rapl_meter(const std::filesystem::path& powercap_root,
                                             std::string* why = nullptr);

}  // namespace slim
