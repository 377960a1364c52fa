// Small zoo models for the PTQ and QAT graph tests: initialised from a seed, with
// BatchNorm made non-trivial so that folding has real work to do.
#pragma once

#include <cstdint>
#include <string>

#include "core/rng.h"
#include "core/train/init.h"
#include "datasets/batch_loader.h"
#include "models/zoo.h"

namespace slim {

inline Model initialised(const std::string& name, uint64_t seed = 7) {
  Model model = find_model(name).build({1, 28, 28}, 10);
  Rng rng(seed);
  init_parameters(model, rng);
  return model;
}

// Training-mode forwards move the running statistics away from (0, 1) and the rank-1
// parameters get non-trivial values, so that BN folding has real work to do.
inline void make_batch_norm_nontrivial(Model& model, const Dataset& dataset) {
  Rng rng(11);
  for (auto& [name, parameter] : model.parameters()) {
    if (parameter->value.rank() != 1) continue;
    for (float& v : parameter->value.values()) v += 0.3f * rng.normal();
  }
  BatchLoader loader(dataset, dataset.train, BatchOptions{.batch_size = 64});
  Batch batch;
  for (int64_t b = 0; b < 3; ++b) {
    loader.fill_batch(b, batch);
    model.forward(batch.x, ForwardContext{Mode::kTrain, &rng});
  }
}

// The first `size` images of the test split.
inline Tensor test_batch(const Dataset& dataset, int64_t size = 64) {
  BatchLoader loader(dataset, dataset.test, BatchOptions{.batch_size = size});
  Batch batch;
  loader.fill_batch(0, batch);
  return batch.x;
}

}  // namespace slim
