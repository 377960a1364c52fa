#include "kernels/int8/grid_check.h"

#include <fmt/format.h>

#include <stdexcept>

namespace slim {

bool codes_fit_grid(const ActivationQuant& produced, const ActivationQuant& expected) {
  return produced.scale == expected.scale && produced.zero_point == expected.zero_point &&
         produced.qmin >= expected.qmin && produced.qmax <= expected.qmax;
}

void check_codes_fit_grid(const ActivationQuant& produced, const ActivationQuant& expected,
                          std::string_view reader) {
  if (codes_fit_grid(produced, expected)) return;
  throw std::logic_error(fmt::format("{}: input codes are on grid {}, but it expects {}", reader,
                                     to_json(produced).dump(), to_json(expected).dump()));
}

}  // namespace slim
