// Rank selection: how many singular values of a weight matrix a low-rank method keeps.
//
// Three rules, each a pure function of the singular values (descending) and the matrix
// dimensions m x n, with `keep` in (0, 1]:
//   params  the factors hold at most keep * m*n weights: r = floor(keep * m*n / (m+n)),
//           because a rank-r factorisation of an m x n matrix stores r*(m+n) weights
//   rank    a fraction of the full rank: r = round(keep * min(m, n)) (halves away from 0)
//   energy  the smallest r whose squared singular values reach keep of the total:
//           sum_{i<r} s_i^2 >= keep * sum_i s_i^2. Squared, because s_i^2 summed is the
//           squared Frobenius norm, so 1 - energy is the relative squared error of the
//           truncation (Eckart-Young); with s_i instead the number has no such meaning.
// Every rule keeps at least 1 and at most min(m, n).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace slim {

enum class RankRule { kParams, kRank, kEnergy };

// "params", "rank", "energy", in enum order.
const std::vector<std::string>& rank_rule_names();
std::string_view rank_rule_name(RankRule rule);
// Throws a UserError naming the valid choices for an unknown name.
RankRule parse_rank_rule(std::string_view name);

int64_t rank_for_params(int64_t rows, int64_t cols, double keep);
int64_t rank_for_fraction(int64_t rows, int64_t cols, double keep);
int64_t rank_for_energy(std::span<const double> singular_values, double keep);

// The rule's rank, clamped to [1, min(rows, cols)]. singular_values are only read by
// the energy rule, and must then hold min(rows, cols) values, descending.
int64_t select_rank(RankRule rule, std::span<const double> singular_values, int64_t rows,
                    int64_t cols, double keep);

// sum_{i<rank} s_i^2 / sum_i s_i^2: the share of the squared Frobenius norm a rank-`rank`
// truncation keeps; 1 for an all-zero matrix (nothing to lose).
double kept_energy(std::span<const double> singular_values, int64_t rank);

}  // namespace slim
