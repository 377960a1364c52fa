#include "bench/injected_slowdown.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace slim::bench {
namespace {

constexpr const char* kVariable = "SLIMBENCH_BENCH_INJECT_SLOWDOWN";
constexpr double kMaxSlowdown = 10.0;

[[noreturn]] void exit_bad_value(const char* text) {
  fmt::print(stderr, "error: {}='{}': expected a number in [0, {}] (0.2 = 20% slower)\n", kVariable,
             text, kMaxSlowdown);
  std::exit(2);
}

double read_slowdown() {
  const char* text = std::getenv(kVariable);
  if (text == nullptr || *text == '\0') return 0.0;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(value >= 0.0 && value <= kMaxSlowdown)) {
    exit_bad_value(text);
  }
  if (value > 0)
    fmt::print(stderr, "note: {}={}: every timed kernel call is slowed\n", kVariable, value);
  return value;
}

}  // namespace

double injected_slowdown() {
  static const double slowdown = read_slowdown();
  return slowdown;
}

}  // namespace slim::bench
