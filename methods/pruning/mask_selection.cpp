#include "methods/pruning/mask_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace slim {
namespace {

// A weight's place in the flattened list of all selected weights.
struct Slot {
  uint32_t weight;
  uint32_t index;
};

bool alive(const PrunableWeight& weight, size_t index) {
  const Parameter& parameter = *weight.parameter;
  return !parameter.has_mask() || parameter.mask.values()[index] != 0.0f;
}

int64_t target_kept(int64_t total, double sparsity) {
  return static_cast<int64_t>(std::llround((1.0 - sparsity) * static_cast<double>(total)));
}

// Keeps the `kept` best of the alive slots (score descending, position ascending on
// ties) and prunes every other slot.
void keep_best(std::span<const PrunableWeight> weights, const Scores& scores,
               std::vector<Slot> candidates, int64_t kept) {
  if (static_cast<int64_t>(candidates.size()) <= kept) return;
  const auto better = [&](const Slot& a, const Slot& b) {
    const float sa = scores[a.weight][a.index];
    const float sb = scores[b.weight][b.index];
    if (sa != sb) return sa > sb;
    return a.weight != b.weight ? a.weight < b.weight : a.index < b.index;
  };
  const auto cut = candidates.begin() + std::max<int64_t>(kept, 0);
  std::nth_element(candidates.begin(), cut, candidates.end(), better);
  for (auto it = cut; it != candidates.end(); ++it) {
    Parameter& parameter = *weights[it->weight].parameter;
    parameter.mask.values()[it->index] = 0.0f;
  }
}

std::vector<Slot> alive_slots(std::span<const PrunableWeight> weights, size_t w) {
  std::vector<Slot> slots;
  const size_t numel = static_cast<size_t>(weights[w].numel());
  for (size_t i = 0; i < numel; ++i) {
    if (alive(weights[w], i)) slots.push_back({static_cast<uint32_t>(w), static_cast<uint32_t>(i)});
  }
  return slots;
}

void check_scores(std::span<const PrunableWeight> weights, const Scores& scores) {
  if (scores.size() != weights.size())
    fail("pruning: {} score vectors for {} weights", scores.size(), weights.size());
  for (size_t w = 0; w < weights.size(); ++w) {
    if (static_cast<int64_t>(scores[w].size()) != weights[w].numel()) {
      fail("pruning: {} has {} scores for {} values", weights[w].name, scores[w].size(),
           weights[w].numel());
    }
  }
}

}  // namespace

const std::vector<std::string>& threshold_scope_names() {
  static const std::vector<std::string> names = {"layerwise", "global"};
  return names;
}

ThresholdScope parse_threshold_scope(std::string_view name) {
  if (name == "layerwise") return ThresholdScope::kLayerwise;
  if (name == "global") return ThresholdScope::kGlobal;
  fail("unknown threshold scope '{}'; valid choices: {}", name,
       fmt::join(threshold_scope_names(), ", "));
}

void prune_to_sparsity(std::span<const PrunableWeight> weights, const Scores& scores,
                       double sparsity, ThresholdScope scope) {
  check_scores(weights, scores);
  for (const PrunableWeight& weight : weights) ensure_mask(*weight.parameter);
  if (scope == ThresholdScope::kLayerwise) {
    for (size_t w = 0; w < weights.size(); ++w) {
      keep_best(weights, scores, alive_slots(weights, w),
                target_kept(weights[w].numel(), sparsity));
    }
  } else {
    std::vector<Slot> all;
    int64_t total = 0;
    for (size_t w = 0; w < weights.size(); ++w) {
      std::vector<Slot> slots = alive_slots(weights, w);
      all.insert(all.end(), slots.begin(), slots.end());
      total += weights[w].numel();
    }
    keep_best(weights, scores, std::move(all), target_kept(total, sparsity));
  }
  apply_masks(weights);
}

void prune_n_of_m(std::span<const PrunableWeight> weights, const Scores& scores, int n, int m) {
  if (n < 1 || m < 2 || n >= m) fail("N:M pruning needs 1 <= n < m; got {}:{}", n, m);
  check_scores(weights, scores);
  std::vector<int64_t> order;
  for (size_t w = 0; w < weights.size(); ++w) {
    const PrunableWeight& weight = weights[w];
    ensure_mask(*weight.parameter);
    std::span<float> mask = weight.parameter->mask.values();
    const std::vector<float>& score = scores[w];
    for (int64_t r = 0; r < weight.rows; ++r) {
      for (int64_t c0 = 0; c0 < weight.cols; c0 += m) {
        const int64_t base = r * weight.cols + c0;
        const int64_t width = std::min<int64_t>(m, weight.cols - c0);
        order.resize(static_cast<size_t>(width));
        std::iota(order.begin(), order.end(), base);
        // Already-pruned weights rank last, so they stay pruned.
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
          const bool alive_a = mask[a] != 0.0f, alive_b = mask[b] != 0.0f;
          if (alive_a != alive_b) return alive_a;
          return score[a] > score[b];
        });
        for (int64_t k = n; k < width; ++k) mask[order[k]] = 0.0f;
      }
    }
  }
  apply_masks(weights);
}

bool satisfies_n_of_m(std::span<const float> values, int64_t rows, int64_t cols, int n, int m) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c0 = 0; c0 < cols; c0 += m) {
      int nonzeros = 0;
      for (int64_t c = c0; c < std::min<int64_t>(c0 + m, cols); ++c) {
        nonzeros += values[r * cols + c] != 0.0f;
      }
      if (nonzeros > n) return false;
    }
  }
  return true;
}

void apply_masks(std::span<const PrunableWeight> weights) {
  for (const PrunableWeight& weight : weights) {
    Parameter& parameter = *weight.parameter;
    if (parameter.has_mask()) parameter.value.vector().array() *= parameter.mask.vector().array();
  }
}

}  // namespace slim
