// Seeded operands for the GPU GEMM tests, and the shapes they share.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.h"

namespace slim::test {

struct GemmShape {
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
};

// Uniform in [-1, 1]: |x| <= 1 keeps the FP16 tolerance's subnormal term simple.
inline std::vector<float> uniform_floats(int64_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> values(static_cast<std::size_t>(count));
  for (float& v : values) v = rng.uniform(-1.0f, 1.0f);
  return values;
}

// Every int8 value is equally likely, -128 and 127 included.
inline std::vector<int8_t> uniform_int8(int64_t count, uint64_t seed) {
  Rng rng(seed);
  std::vector<int8_t> values(static_cast<std::size_t>(count));
  for (int8_t& v : values) v = static_cast<int8_t>(static_cast<int>(rng.below(256)) - 128);
  return values;
}

// `count` shapes with sizes in [1, max_size], from a fixed seed.
inline std::vector<GemmShape> random_shapes(int count, int64_t max_size, uint64_t seed) {
  Rng rng(seed);
  const auto size = [&] {
    return 1 + static_cast<int64_t>(rng.below(static_cast<uint64_t>(max_size)));
  };
  std::vector<GemmShape> shapes;
  for (int i = 0; i < count; ++i) shapes.push_back({size(), size(), size()});
  return shapes;
}

}  // namespace slim::test
