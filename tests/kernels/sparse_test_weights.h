// Sparse weights for the sparse-kernel tests: random matrices with a chosen fraction of
// exact zeros, and the two magnitude prunings the sparse backend is built for.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.h"

namespace slim::testing {

// [rows, cols]: each element exactly zero with probability `sparsity`, else N(0, 1).
inline std::vector<float> random_sparse(int64_t rows, int64_t cols, float sparsity, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> dense(static_cast<size_t>(rows * cols));
  for (float& v : dense) {
    const bool zero = rng.uniform() < sparsity;
    const float value = rng.normal();
    v = zero ? 0.0f : value;
  }
  return dense;
}

// 2:4 by magnitude (REFERENCE.md): in every group of 4 consecutive weights of a row (the
// last one possibly shorter) keep the 2 largest |w|, zero the rest.
inline void prune_2_4(std::span<float> dense, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t first = 0; first < cols; first += 4) {
      float* group = dense.data() + r * cols + first;
      const int64_t width = std::min<int64_t>(4, cols - first);
      std::vector<int64_t> order(static_cast<size_t>(width));
      for (int64_t i = 0; i < width; ++i) order[static_cast<size_t>(i)] = i;
      std::sort(order.begin(), order.end(),
                [group](int64_t a, int64_t b) { return std::abs(group[a]) > std::abs(group[b]); });
      for (size_t i = 2; i < order.size(); ++i) group[order[i]] = 0.0f;
    }
  }
}

// Zeroes the `fraction` of the weights with the smallest |w| (unstructured magnitude
// pruning of one tensor).
inline void prune_smallest(std::span<float> weights, double fraction) {
  std::vector<float> magnitudes(weights.size());
  std::transform(weights.begin(), weights.end(), magnitudes.begin(),
                 [](float w) { return std::abs(w); });
  const auto pruned = static_cast<size_t>(fraction * static_cast<double>(weights.size()));
  if (pruned == 0) return;
  std::nth_element(magnitudes.begin(), magnitudes.begin() + static_cast<std::ptrdiff_t>(pruned - 1),
                   magnitudes.end());
  const float threshold = magnitudes[pruned - 1];
  size_t zeroed = 0;
  for (float& w : weights) {
    if (zeroed < pruned && std::abs(w) <= threshold) {
      w = 0.0f;
      ++zeroed;
    }
  }
}

}  // namespace slim::testing
