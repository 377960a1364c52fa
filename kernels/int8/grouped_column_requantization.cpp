#include "kernels/int8/grouped_column_requantization.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/int8/fixed_point.h"

namespace slim {

namespace {

[[noreturn]] void fail_grouped(const std::string& why) {
  throw std::logic_error("grouped int8 output stage: " + why);
}

}  // namespace

void check_grouped_requantization_shape(const GroupedColumnRequantization& r, int64_t n,
                                        int64_t k) {
  if (r.group_size <= 0 || r.group_size % 4 != 0) {
    fail_grouped(fmt::format("groups of {} codes are not a positive multiple of 4", r.group_size));
  }
  const int64_t groups = (k + r.group_size - 1) / r.group_size;
  const auto per_group = static_cast<size_t>(groups * n);
  if (r.columns() != n || r.biases.size() != static_cast<size_t>(n) ||
      r.multipliers.size() != per_group || r.weight_sums.size() != per_group) {
    fail_grouped(fmt::format("constants for {} columns do not match {} columns in {} groups",
                             r.columns(), n, groups));
  }
}

void check_grouped_requantization(const GroupedColumnRequantization& r, int64_t n, int64_t k) {
  check_grouped_requantization_shape(r, n, k);
  if (std::any_of(r.multipliers.begin(), r.multipliers.end(), [](int32_t m) { return m < 0; })) {
    fail_grouped("a negative multiplier");
  }
  if (std::any_of(r.shifts.begin(), r.shifts.end(), [](int32_t s) { return s < 0 || s > 62; })) {
    fail_grouped("a shift outside [0, 62]");
  }
}

void multiply_grouped_requantize_reference(int64_t m, int64_t n, int64_t k, const int8_t* a,
                                           const int8_t* b, const GroupedColumnRequantization& r,
                                           int8_t* c) {
  check_grouped_requantization(r, n, k);
  const int64_t groups = (k + r.group_size - 1) / r.group_size;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      int64_t total = r.biases[static_cast<size_t>(j)];
      for (int64_t g = 0; g < groups; ++g) {
        int32_t acc = 0;
        for (int64_t kk = g * r.group_size; kk < std::min(k, (g + 1) * r.group_size); ++kk) {
          acc += int32_t{a[i * k + kk]} * int32_t{b[j * k + kk]};
        }
        total += int64_t{r.multipliers[static_cast<size_t>(g * n + j)]} * acc;
      }
      const int64_t code =
          r.zero_point + rounding_divide_by_pot_int64(total, r.shifts[static_cast<size_t>(j)]);
      c[i * n + j] = static_cast<int8_t>(std::clamp<int64_t>(code, r.qmin, r.qmax));
    }
  }
}

}  // namespace slim
