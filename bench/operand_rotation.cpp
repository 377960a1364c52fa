#include "bench/operand_rotation.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace slim::bench {
namespace {

constexpr int64_t kFallbackCacheBytes = int64_t{32} << 20;
const std::filesystem::path kCacheDir = "/sys/devices/system/cpu/cpu0/cache";

std::string read_first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

// sysfs writes sizes as "32768K" or "32M"; 0 when it is neither.
int64_t parse_cache_size(const std::string& text) {
  size_t digits = 0;
  int64_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    value = value * 10 + (text[digits] - '0');
    ++digits;
  }
  if (digits == 0) return 0;
  const std::string suffix = text.substr(digits);
  if (suffix.empty()) return value;
  if (suffix == "K") return value << 10;
  if (suffix == "M") return value << 20;
  if (suffix == "G") return value << 30;
  return 0;
}

// The highest-level data or unified cache that sysfs lists for CPU 0; 0 when none.
int64_t sysfs_last_level_cache_bytes() {
  std::error_code error;
  int best_level = 0;
  int64_t best_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCacheDir, error)) {
    if (entry.path().filename().string().rfind("index", 0) != 0) continue;
    if (read_first_line(entry.path() / "type") == "Instruction") continue;
    const int level = std::atoi(read_first_line(entry.path() / "level").c_str());
    const int64_t bytes = parse_cache_size(read_first_line(entry.path() / "size"));
    if (level > best_level && bytes > 0) {
      best_level = level;
      best_bytes = bytes;
    }
  }
  return best_bytes;
}

int64_t sysconf_last_level_cache_bytes() {
  for (const int name : {_SC_LEVEL4_CACHE_SIZE, _SC_LEVEL3_CACHE_SIZE, _SC_LEVEL2_CACHE_SIZE}) {
    const long bytes = sysconf(name);
    if (bytes > 0) return bytes;
  }
  return 0;
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

int64_t last_level_cache_bytes() {
  if (const int64_t bytes = sysfs_last_level_cache_bytes(); bytes > 0) return bytes;
  if (const int64_t bytes = sysconf_last_level_cache_bytes(); bytes > 0) return bytes;
  return kFallbackCacheBytes;
}

int64_t rotation_copies(int64_t copy_bytes, int64_t workload_bytes, int64_t llc_bytes) {
  copy_bytes = std::max<int64_t>(copy_bytes, 1);
  if (workload_bytes <= copy_bytes) return 1;
  const int64_t span = workload_bytes > llc_bytes ? 2 * llc_bytes : workload_bytes;
  return std::max<int64_t>(1, ceil_div(span, copy_bytes));
}

}  // namespace slim::bench
