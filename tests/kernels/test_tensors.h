// Helpers shared by the kernel tests: seeded random data and a tolerance comparison
// that reports the largest difference it saw.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.h"
#include "core/tensor.h"

namespace slim::testing {

// N(0, 1) values from a fixed seed.
inline std::vector<float> random_values(int64_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) v = rng.normal();
  return values;
}

inline Tensor random_tensor(const Shape& shape, uint64_t seed) {
  return Tensor(shape, random_values(shape_numel(shape), seed));
}

struct Comparison {
  float max_abs_diff = 0.0f;
  bool within_tolerance = true;  // every |got - want| <= atol + rtol * |want|
};

inline Comparison compare(std::span<const float> want, std::span<const float> got, float atol,
                          float rtol) {
  Comparison result;
  if (want.size() != got.size()) return {INFINITY, false};
  for (size_t i = 0; i < want.size(); ++i) {
    const float diff = std::abs(got[i] - want[i]);
    result.max_abs_diff = std::max(result.max_abs_diff, diff);
    // Written so that a NaN in either value fails the comparison.
    if (!(diff <= atol + rtol * std::abs(want[i]))) result.within_tolerance = false;
  }
  return result;
}

}  // namespace slim::testing
