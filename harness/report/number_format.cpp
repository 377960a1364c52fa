#include "harness/report/number_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace slim {

std::string format_fixed(double value, int decimals) {
  // Never print "-0.00": a value that rounds to zero has no sign worth showing.
  const double scale = std::pow(10.0, decimals);
  if (std::round(value * scale) == 0.0) value = 0.0;
  return fmt::format("{:.{}f}", value, decimals);
}

std::string format_signed(double value, int decimals) {
  const std::string text = format_fixed(value, decimals);
  return text.front() == '-' ? text : "+" + text;
}

int decimals_for_three_digits(double magnitude) {
  magnitude = std::fabs(magnitude);
  if (magnitude == 0.0 || !std::isfinite(magnitude)) return 2;
  const int leading_exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  return std::clamp(2 - leading_exponent, 0, 6);
}

std::string format_si(double value, double reference) {
  struct Unit {
    double scale;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "K"}};
  for (const Unit& unit : kUnits) {
    if (std::fabs(reference) >= unit.scale) {
      return format_fixed(value / unit.scale, 1) + unit.suffix;
    }
  }
  return format_fixed(value, 0);
}

}  // namespace slim
