#include "harness/baseline_cache.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "core/sha256.h"
#include "core/train/init.h"
#include "core/train/progress.h"
#include "core/train/trainer.h"
#include "models/checkpoint.h"
#include "models/zoo.h"

namespace slim {
namespace {

Recipe recipe_for_seed(const ModelSource& source, uint64_t seed) {
  Recipe recipe = source.recipe;
  recipe.seed = seed;
  return recipe;
}

Model train_baseline(const ModelSource& source, const Recipe& recipe, const Dataset& dataset,
                     std::FILE* log) {
  const ZooEntry& entry = find_model(source.zoo);
  Model model = entry.build(dataset.sample_shape, dataset.num_classes);
  Rng init_rng = Rng(recipe.seed).split(kInitStream);
  init_parameters(model, init_rng);
  fmt::print(log, "training {} on {} (seed {}, {} epochs)\n", source.zoo, dataset.name, recipe.seed,
             recipe.epochs);
  TrainHooks hooks;
  TrainingProgress progress(log);
  progress.attach(hooks);
  hooks.evaluate_each_epoch = false;
  train(model, dataset, recipe, hooks);
  return model;
}

}  // namespace

ModelSource named_model_source(const std::string& name) {
  ModelSource source;
  source.label = name;
  const std::vector<std::string> zoo = model_names();
  if (std::find(zoo.begin(), zoo.end(), name) != zoo.end()) {
    source.zoo = name;
    source.recipe = find_model(name).default_recipe();
  } else if (std::filesystem::is_regular_file(name)) {
    source.checkpoint = name;
  } else {
    fail("'{}' is neither a zoo model ({}) nor an existing checkpoint file", name,
         fmt::join(zoo, ", "));
  }
  return source;
}

std::filesystem::path baseline_cache_path(const ModelSource& source, uint64_t seed,
                                          const Dataset& dataset,
                                          const std::filesystem::path& cache_dir) {
  const nlohmann::json key = {{"model", source.zoo},
                              {"dataset", dataset.name},
                              {"recipe", recipe_for_seed(source, seed).to_json()}};
  return cache_dir /
         fmt::format("{}-{}.safetensors", source.zoo, sha256_hex(key.dump()).substr(0, 16));
}

Baseline obtain_baseline(const ModelSource& source, uint64_t seed, const Dataset& dataset,
                         const std::filesystem::path& cache_dir, std::FILE* log) {
  if (!source.checkpoint.empty()) {
    LoadedCheckpoint loaded = load_checkpoint(source.checkpoint);
    return {std::move(loaded.model), source.recipe, true, source.checkpoint};
  }
  const Recipe recipe = recipe_for_seed(source, seed);
  const auto path = baseline_cache_path(source, seed, dataset, cache_dir);
  if (std::filesystem::exists(path)) {
    LoadedCheckpoint loaded = load_checkpoint(path);
    return {std::move(loaded.model), recipe, true, path.string()};
  }
  Model model = train_baseline(source, recipe, dataset, log);
  const EvalResult test = evaluate(model, dataset, dataset.test);
  std::filesystem::create_directories(cache_dir);
  save_checkpoint(
      path, model,
      CheckpointInfo{recipe.to_json(), {{"test_accuracy", test.accuracy}}, dataset.name});
  return {std::move(model), recipe, false, path.string()};
}

}  // namespace slim
