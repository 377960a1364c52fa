// How the report tables print numbers: a fixed number of decimals chosen per quantity, so
// a column lines up and never shows more digits than the measurement supports.
#pragma once

#include <string>

namespace slim {

// `value` with `decimals` digits after the point ("91.37").
std::string format_fixed(double value, int decimals);

// Like format_fixed, always with a sign ("+0.03", "-1.20"): for differences.
std::string format_signed(double value, int decimals);

// Decimals that give `magnitude` three significant digits (12.3, 4.56, 0.00120, 1234):
// for latency and energy, whose scale varies by orders of magnitude between models.
int decimals_for_three_digits(double magnitude);

// Large counts with an SI suffix and one decimal in the unit of `reference` ("416.5K",
// "1.8G"), so a mean and its spread are printed in the same unit.
std::string format_si(double value, double reference);

}  // namespace slim
