// Rng: the one random number generator every seeded thing in slimbench uses.
//
// We avoid std::*_distribution on purpose: their output is implementation-defined, so
// the same seed would give different weights with another standard library. This
// generator (SplitMix64 seeding a xoshiro256** state) and the distributions below are
// fully specified here, so a seed means the same numbers everywhere.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace slim {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0);

  uint64_t next_u64();
  // Uniform in [0, 1), with 24 bits of randomness (exactly representable floats).
  float uniform();
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n); n > 0. Unbiased (rejection sampling).
  uint64_t below(uint64_t n);
  // Standard normal via Box-Muller, computed in double for portability of the result.
  float normal();
  float normal(float mean, float stddev) { return mean + stddev * normal(); }
  bool bernoulli(float p) { return uniform() < p; }

  // A child generator whose stream does not overlap ours in practice; lets one
  // seed drive independent streams (init, shuffling, dropout) reproducibly.
  Rng split(uint64_t stream_id);

  template <typename T>
  void shuffle(std::span<T> items) {
    for (size_t i = items.size(); i > 1; --i) {
      const size_t j = static_cast<size_t>(below(i));
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  std::array<uint64_t, 4> state_{};
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace slim
