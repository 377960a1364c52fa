// Sweep: an experiment file (experiments/*.json), parsed, validated and expanded.
//
// load_sweep() does every check before any work starts (unknown keys and names, types,
// ranges, empty expansions, missing datasets and checkpoints, an unwritable results
// directory), so a bad file costs nothing and leaves nothing behind. Every error is one
// line naming the file, the JSON pointer and the valid choices. The schema is documented
// in experiments/README.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/train/recipe.h"
#include "harness/measure/latency.h"

namespace slim {

struct ModelSource {
  std::string label;                // "lenet-5", or "lenet-5 epochs=2" when the recipe is swept
  std::string zoo;                  // zoo name; empty for a checkpoint
  Recipe recipe;                    // the full training recipe (its seed is set per job)
  std::string checkpoint;           // path, when the model comes from a checkpoint
  std::string checkpoint_sha256;    // so a job's ID changes when the file does
  std::string pointer;              // where the file named it, e.g. "/models/1"
  Shape checkpoint_sample_shape;    // what the checkpoint's model takes: checked against
  int checkpoint_classes = 0;       // the dataset once that is loaded
  nlohmann::json identity() const;  // canonical description, for job IDs
};

struct StepConfig {
  std::string method;
  nlohmann::json params;  // resolved: every schema key, defaults filled in
  nlohmann::json given;   // only the keys the file set, for labels
};

struct PipelineConfig {
  std::string name;
  std::vector<StepConfig> steps;
  std::string params_label;  // "bits=4 granularity=per_channel"
  std::string pointer;       // where it came from, for duplicate-job errors
  // The pipeline's own "backends", overriding the sweep's (e.g. an int8 model measured
  // on the int8 backend only, while the FP32 baseline runs everywhere).
  std::optional<std::vector<std::string>> backends;
};

struct CalibrationConfig {
  int64_t size = 512;
  uint64_t seed = 0;
};

struct MeasureConfig {
  std::vector<std::string> backends = {"openblas"};
  std::vector<int64_t> batch_sizes = {1, 64};
  std::vector<std::string> metrics;  // names from metric_table(); default: all
  LatencyOptions latency;
  int threads = 1;  // for timing; training uses the CLI's --threads
  int64_t eval_batch_size = 500;
  bool wants(std::string_view metric) const;
  nlohmann::json to_json() const;
};

struct Sweep {
  std::string file;
  std::string name;
  std::string description;
  std::string dataset = "fashion-mnist";
  std::vector<uint64_t> seeds = {0};
  std::vector<ModelSource> models;
  CalibrationConfig calibration;
  std::vector<PipelineConfig> pipelines;
  MeasureConfig measure;
  std::string results_dir = "results";
  nlohmann::json document;  // the file as read
};

// Parses and validates `file`. Checks that need the dataset (calibration size, a
// checkpoint's input shape) run in validate_against_dataset().
Sweep load_sweep(const std::string& file, const std::optional<std::string>& results_dir_override);

struct Dataset;
void validate_against_dataset(const Sweep& sweep, const Dataset& dataset);

// Valid top-level keys, for errors and docs.
const std::vector<std::string>& sweep_keys();

}  // namespace slim
