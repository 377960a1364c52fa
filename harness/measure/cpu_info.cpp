#include "harness/measure/cpu_info.h"

#include <array>
#include <fstream>
#include <sstream>

namespace slim {
namespace {

constexpr std::array<std::string_view, 15> kRelevantFlags = {
    "sse4_2",      "avx",         "avx2",     "fma",         "f16c",
    "avx512f",     "avx512bw",    "avx512vl", "avx512_vnni", "avx_vnni",
    "avx512_bf16", "avx512_fp16", "amx_tile", "amx_int8",    "amx_bf16"};

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

std::string proc_cpuinfo_field(std::string_view key) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  return cpuinfo ? cpuinfo_field(cpuinfo, key) : std::string();
}

}  // namespace

std::string cpuinfo_field(std::istream& cpuinfo, std::string_view key) {
  std::string line;
  while (std::getline(cpuinfo, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string_view view(line);
    if (trim(view.substr(0, colon)) == key) return std::string(trim(view.substr(colon + 1)));
  }
  return {};
}

std::vector<std::string> relevant_isa_flags(std::string_view flags_value) {
  std::vector<std::string> present;
  std::istringstream words{std::string(flags_value)};
  std::vector<std::string> all;
  for (std::string word; words >> word;) all.push_back(word);
  for (std::string_view flag : kRelevantFlags) {
    for (const std::string& word : all) {
      if (word == flag) {
        present.emplace_back(flag);
        break;
      }
    }
  }
  return present;
}

std::string cpu_model_name() {
  const std::string name = proc_cpuinfo_field("model name");
  return name.empty() ? "unknown" : name;
}

std::vector<std::string> cpu_isa_flags() {
  return relevant_isa_flags(proc_cpuinfo_field("flags"));
}

}  // namespace slim
