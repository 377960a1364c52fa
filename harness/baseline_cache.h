// Trained FP32 baselines, cached on disk so a sweep (and the next sweep) trains each
// one once. The cache key hashes (model, dataset, recipe, seed): any change retrains.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/model.h"
#include "core/train/recipe.h"
#include "datasets/dataset.h"
#include "harness/sweep.h"

namespace slim {

struct Baseline {
  Model model;
  Recipe recipe;  // what it was trained with (seed included)
  bool cached = false;
  std::string path;  // the checkpoint it was loaded from or saved to
};

// Loads the checkpoint of a checkpoint source; for a zoo source, loads the cached
// training result for `seed` or trains it (progress on `log`) and caches it atomically.
Baseline obtain_baseline(const ModelSource& source, uint64_t seed, const Dataset& dataset,
                         const std::filesystem::path& cache_dir, std::FILE* log);

// The source a method names with one string (a distillation teacher): a zoo model with
// its zoo recipe, or an existing checkpoint file. Anything else is a UserError that
// lists the zoo's models.
ModelSource named_model_source(const std::string& name);

// Where the cached baseline for (source, seed, dataset) lives.
std::filesystem::path baseline_cache_path(const ModelSource& source, uint64_t seed,
                                          const Dataset& dataset,
                                          const std::filesystem::path& cache_dir);

}  // namespace slim
