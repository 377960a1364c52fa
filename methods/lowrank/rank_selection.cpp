#include "methods/lowrank/rank_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/error.h"

namespace slim {
namespace {

void check_keep(double keep) {
  if (!(keep > 0.0 && keep <= 1.0)) {
    throw std::invalid_argument(fmt::format("rank selection: keep {} is not in (0, 1]", keep));
  }
}

int64_t clamp_rank(int64_t rank, int64_t rows, int64_t cols) {
  return std::clamp<int64_t>(rank, 1, std::min(rows, cols));
}

// A decimal keep such as 0.1 is not exact in binary, so keep * m*n / (m+n) can land a
// hair below an integer it equals on paper; this relative slack puts it back.
constexpr double kFloorSlack = 1e-12;

}  // namespace

const std::vector<std::string>& rank_rule_names() {
  static const std::vector<std::string> names = {"params", "rank", "energy"};
  return names;
}

std::string_view rank_rule_name(RankRule rule) {
  return rank_rule_names().at(static_cast<size_t>(rule));
}

RankRule parse_rank_rule(std::string_view name) {
  const std::vector<std::string>& names = rank_rule_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<RankRule>(i);
  }
  fail("unknown rank rule '{}'; valid choices: {}", name, fmt::join(names, ", "));
}

int64_t rank_for_params(int64_t rows, int64_t cols, double keep) {
  check_keep(keep);
  const double budget = keep * static_cast<double>(rows) * static_cast<double>(cols);
  const double rank = std::floor(budget / static_cast<double>(rows + cols) * (1.0 + kFloorSlack));
  return clamp_rank(static_cast<int64_t>(rank), rows, cols);
}

int64_t rank_for_fraction(int64_t rows, int64_t cols, double keep) {
  check_keep(keep);
  return clamp_rank(std::lround(keep * static_cast<double>(std::min(rows, cols))), rows, cols);
}

int64_t rank_for_energy(std::span<const double> singular_values, double keep) {
  check_keep(keep);
  double total = 0.0;
  for (double s : singular_values) total += s * s;
  // Summed in the same order as `total`, so at the last index the two are equal and
  // keep = 1 selects the full rank rather than running off the end.
  double cumulative = 0.0;
  for (size_t i = 0; i < singular_values.size(); ++i) {
    cumulative += singular_values[i] * singular_values[i];
    if (cumulative >= keep * total) return static_cast<int64_t>(i) + 1;
  }
  return std::max<int64_t>(1, static_cast<int64_t>(singular_values.size()));
}

int64_t select_rank(RankRule rule, std::span<const double> singular_values, int64_t rows,
                    int64_t cols, double keep) {
  switch (rule) {
    case RankRule::kParams:
      return rank_for_params(rows, cols, keep);
    case RankRule::kRank:
      return rank_for_fraction(rows, cols, keep);
    case RankRule::kEnergy:
      if (static_cast<int64_t>(singular_values.size()) != std::min(rows, cols)) {
        throw std::invalid_argument("rank selection: energy needs min(rows, cols) values");
      }
      return clamp_rank(rank_for_energy(singular_values, keep), rows, cols);
  }
  throw std::logic_error("rank selection: unknown rule");
}

double kept_energy(std::span<const double> singular_values, int64_t rank) {
  double total = 0.0;
  double kept = 0.0;
  for (size_t i = 0; i < singular_values.size(); ++i) {
    const double energy = singular_values[i] * singular_values[i];
    total += energy;
    if (static_cast<int64_t>(i) < rank) kept += energy;
  }
  return total > 0.0 ? kept / total : 1.0;
}

}  // namespace slim
