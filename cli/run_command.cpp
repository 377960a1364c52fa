// slimbench run FILE: the placeholder sweep runner of the core issue.
//
// It trains (or loads from the cache) the FP32 baseline for each seed of one zoo model
// and prints a table. The experiment harness (issue 3: registries, grids, pipelines,
// results directories, resume) replaces this file; the JSON keys below are a subset of
// the harness's sweep schema so quickstart.json keeps working.
//   {"name": str, "description": str, "model": zoo name, "dataset": spec,
//    "recipe": {recipe overrides}, "seeds": [int, ...]}
#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/threads.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/sha256.h"
#include "core/train/init.h"
#include "core/train/progress.h"
#include "core/train/trainer.h"
#include "datasets/registry.h"
#include "models/checkpoint.h"
#include "models/zoo.h"

namespace slim::cli {
namespace {

constexpr std::array<std::string_view, 6> kSweepKeys = {"name",    "description", "model",
                                                        "dataset", "recipe",      "seeds"};

struct Sweep {
  std::string name;
  std::string model;
  std::string dataset = "fashion-mnist";
  nlohmann::json recipe = nlohmann::json::object();
  std::vector<uint64_t> seeds = {0};
};

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot open the experiment file", path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    fail("{}: not valid JSON: {}", path, e.what());
  }
}

std::string require_string(const nlohmann::json& j, std::string_view key, const std::string& file) {
  auto it = j.find(key);
  if (it == j.end()) fail("{}: /{}: required key is missing", file, key);
  if (!it->is_string()) fail("{}: /{}: expected a string, got {}", file, key, it->dump());
  return it->get<std::string>();
}

Sweep parse_sweep(const std::string& file) {
  const nlohmann::json j = read_json_file(file);
  if (!j.is_object()) fail("{}: the experiment must be a JSON object", file);
  for (const auto& [key, value] : j.items()) {
    if (std::find(kSweepKeys.begin(), kSweepKeys.end(), key) == kSweepKeys.end()) {
      fail("{}: /{}: unknown key; valid keys: {}", file, key, fmt::join(kSweepKeys, ", "));
    }
  }
  Sweep sweep;
  sweep.name = require_string(j, "name", file);
  sweep.model = require_string(j, "model", file);
  find_model(sweep.model);  // unknown names fail here, listing the known ones
  if (j.contains("dataset")) sweep.dataset = require_string(j, "dataset", file);
  if (j.contains("recipe")) sweep.recipe = j.at("recipe");
  if (j.contains("seeds")) {
    const auto& seeds = j.at("seeds");
    if (!seeds.is_array() || seeds.empty()) {
      fail("{}: /seeds: expected a non-empty list of integers", file);
    }
    sweep.seeds.clear();
    for (size_t i = 0; i < seeds.size(); ++i) {
      if (!seeds[i].is_number_unsigned()) {
        fail("{}: /seeds/{}: expected a non-negative integer, got {}", file, i, seeds[i].dump());
      }
      sweep.seeds.push_back(seeds[i].get<uint64_t>());
    }
  }
  // Validate the recipe now, before any work starts.
  Recipe::from_json(sweep.recipe, find_model(sweep.model).default_recipe(), file + ": /recipe");
  return sweep;
}

struct Row {
  uint64_t seed;
  double accuracy;
  int64_t parameters;
  int64_t macs;
  bool cached;
};

Row train_or_load(const Sweep& sweep, const Dataset& dataset, uint64_t seed,
                  const std::filesystem::path& cache_dir) {
  const ZooEntry& entry = find_model(sweep.model);
  Recipe recipe = Recipe::from_json(sweep.recipe, entry.default_recipe(), "recipe");
  recipe.seed = seed;
  // The baseline's identity: model, dataset, recipe (which includes the seed).
  const nlohmann::json key = {
      {"model", entry.name}, {"dataset", dataset.name}, {"recipe", recipe.to_json()}};
  const auto path = cache_dir / fmt::format("{}-{}.safetensors", entry.name,
                                            sha256_hex(key.dump()).substr(0, 16));
  if (std::filesystem::exists(path)) {
    LoadedCheckpoint loaded = load_checkpoint(path);
    const EvalResult test = evaluate(loaded.model, dataset, dataset.test);
    return {seed, test.accuracy, loaded.model.parameter_count(), loaded.model.macs_per_sample(),
            true};
  }
  Model model = entry.build(dataset.sample_shape, dataset.num_classes);
  Rng init_rng = Rng(seed).split(kInitStream);
  init_parameters(model, init_rng);
  fmt::print(stderr, "training {} on {} (seed {}, {} epochs)\n", entry.name, dataset.name, seed,
             recipe.epochs);
  TrainHooks hooks;
  TrainingProgress progress(stderr);
  progress.attach(hooks);
  hooks.evaluate_each_epoch = false;
  train(model, dataset, recipe, hooks);
  const EvalResult test = evaluate(model, dataset, dataset.test);
  CheckpointInfo info{recipe.to_json(), {{"test_accuracy", test.accuracy}}, dataset.name};
  std::filesystem::create_directories(cache_dir);
  save_checkpoint(path, model, info);
  return {seed, test.accuracy, model.parameter_count(), model.macs_per_sample(), false};
}

int run_sweep(const std::string& file, int threads) {
  apply_thread_count(threads);
  const Sweep sweep = parse_sweep(file);
  const Dataset dataset = load_dataset(sweep.dataset);
  const std::filesystem::path cache_dir = "results/cache";
  std::vector<Row> rows;
  for (uint64_t seed : sweep.seeds) rows.push_back(train_or_load(sweep, dataset, seed, cache_dir));

  fmt::print("\n{} ({} on {}, OpenBLAS core {})\n\n", sweep.name, sweep.model, sweep.dataset,
             openblas_core_name());
  fmt::print("| model | seed | method | top-1 (%) | params | MACs/sample | baseline |\n");
  fmt::print("|---|---:|---|---:|---:|---:|---|\n");
  for (const Row& r : rows) {
    fmt::print("| {} | {} | fp32 | {:.2f} | {} | {} | {} |\n", sweep.model, r.seed,
               100.0 * r.accuracy, r.parameters, r.macs, r.cached ? "cached" : "trained");
  }
  if (openblas_core_is_fallback(openblas_core_name())) {
    fmt::print(stderr,
               "warning: OpenBLAS uses the generic '{}' core on this CPU; FP32 GEMM is ~7x "
               "slower than it should be\n",
               openblas_core_name());
  }
  return 0;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto threads = std::make_shared<int>(0);
  CLI::App* sub = app.add_subcommand("run", "run an experiment file and print its table");
  sub->add_option("experiment", *file, "experiment JSON file")->required();
  add_thread_option(*sub, *threads);
  return [file, threads] { return run_sweep(*file, *threads); };
}

}  // namespace slim::cli
