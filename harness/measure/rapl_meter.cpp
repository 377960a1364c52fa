#include "harness/measure/rapl_meter.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <optional>
#include <regex>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace slim {
namespace {

namespace fs = std::filesystem;

// One package's counter: energy_uj counts up to max_energy_range_uj, then restarts at 0.
struct RaplDomain {
  fs::path energy_file;
  uint64_t max_range_uj = 0;
  uint64_t last_uj = 0;
};

std::optional<uint64_t> read_uint64(const fs::path& file) {
  std::ifstream in(file);
  uint64_t value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

std::optional<std::string> read_word(const fs::path& file) {
  std::ifstream in(file);
  std::string word;
  if (!(in >> word)) return std::nullopt;
  return word;
}

// Top-level zones are "intel-rapl:<N>"; "intel-rapl:<N>:<M>" are their subdomains.
bool is_top_level_zone(const fs::path& dir) {
  static const std::regex kTopLevel("intel-rapl:[0-9]+");
  return std::regex_match(dir.filename().string(), kTopLevel);
}

bool is_package_zone(const fs::path& dir) {
  const std::optional<std::string> name = read_word(dir / "name");
  return name && name->starts_with("package-");
}

std::vector<fs::path> package_zones(const fs::path& root, std::error_code& error) {
  std::vector<fs::path> zones;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, error)) {
    if (is_top_level_zone(entry.path()) && is_package_zone(entry.path())) {
      zones.push_back(entry.path());
    }
  }
  std::sort(zones.begin(), zones.end());  // stable order for error messages
  return zones;
}

// Energy added since `last`, unwrapping one wraparound of a counter that counts 0..max.
uint64_t delta_uj(uint64_t last, uint64_t now, uint64_t max_range) {
  if (now >= last) return now - last;
  return (max_range - last) + now;
}

class RaplMeter : public EnergyMeter {
 public:
  explicit RaplMeter(std::vector<RaplDomain> domains) : domains_(std::move(domains)) {}

  double joules() override {
    for (RaplDomain& domain : domains_) {
      const std::optional<uint64_t> now = read_uint64(domain.energy_file);
      // It was readable when opened; losing it mid-measurement would silently undercount.
      if (!now) throw std::runtime_error("cannot read " + domain.energy_file.string());
      total_uj_ += delta_uj(domain.last_uj, *now, domain.max_range_uj);
      domain.last_uj = *now;
    }
    return static_cast<double>(total_uj_) * 1e-6;
  }

  std::string source() const override { return std::string(kRaplEnergySource); }

 private:
  std::vector<RaplDomain> domains_;
  uint64_t total_uj_ = 0;  // integer microjoules, so accumulation loses nothing
};

std::unique_ptr<EnergyMeter> unavailable(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return nullptr;
}

}  // namespace

std::unique_ptr<EnergyMeter> open_rapl_meter(std::string* why) {
  return open_rapl_meter(fs::path(kDefaultPowercapRoot), why);
}

std::unique_ptr<EnergyMeter> open_rapl_meter(const fs::path& powercap_root, std::string* why) {
  std::error_code error;
  if (!fs::is_directory(powercap_root, error)) {
    return unavailable(why, fmt::format("{} does not exist (no RAPL in this VM or kernel)",
                                        powercap_root.string()));
  }
  const std::vector<fs::path> zones = package_zones(powercap_root, error);
  if (error) {
    return unavailable(why,
                       fmt::format("cannot list {}: {}", powercap_root.string(), error.message()));
  }
  if (zones.empty()) {
    return unavailable(
        why, fmt::format("no intel-rapl:<N> package domain under {}", powercap_root.string()));
  }
  std::vector<RaplDomain> domains;
  for (const fs::path& zone : zones) {
    const std::optional<uint64_t> energy = read_uint64(zone / "energy_uj");
    const std::optional<uint64_t> range = read_uint64(zone / "max_energy_range_uj");
    if (!energy) {
      return unavailable(why, fmt::format("cannot read {} (root-only on kernels patched for "
                                          "CVE-2020-8694)",
                                          (zone / "energy_uj").string()));
    }
    if (!range) {
      return unavailable(why,
                         fmt::format("cannot read {}", (zone / "max_energy_range_uj").string()));
    }
    domains.push_back({zone / "energy_uj", *range, *energy});
  }
  if (why) why->clear();
  return std::make_unique<RaplMeter>(std::move(domains));
}

}  // namespace slim
