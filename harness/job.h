// Job: one row of a sweep, i.e. one (model, seed, pipeline instance, backend).
//
// A job's ID is the SHA-256 (first 16 hex digits) of its canonical config: the resolved
// model identity and recipe, dataset, seed, calibration, pipeline steps with every
// parameter (defaults included), backend, measurement settings, and the code version
// (SLIMBENCH_VERSION, bumped when a change alters results). Names and labels are not
// part of it, so renaming a pipeline or moving a job to another sweep keeps its ID and
// `compare` still matches it. The git commit goes into env.json instead: keying IDs on
// it would make every commit incomparable with the committed baselines.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/sweep.h"

namespace slim {

struct Job {
  std::string id;        // 16 hex digits
  std::string group_id;  // the same hash without the seed: the records a mean +- std pools
  const ModelSource* model = nullptr;
  uint64_t seed = 0;
  const PipelineConfig* pipeline = nullptr;
  std::string backend;
  nlohmann::json config;        // canonical; what the IDs hash
  nlohmann::json labels;        // model, dataset, pipeline, params, backend, seed: for tables
  std::string summary() const;  // one line for progress and --dry-run
};

// Every job of the sweep, ordered model, seed, pipeline, backend (backends innermost,
// so one compressed model serves all of them). Two pipelines that resolve to the same
// steps would produce one ID twice: that is an error naming both.
std::vector<Job> plan_jobs(const Sweep& sweep);

struct Shard {
  int index = 0;  // 0-based
  int count = 1;
};
// "i/N" with 0 <= i < N.
Shard parse_shard(const std::string& text);

// Jobs whose summary or ID matches `filter` (an ECMAScript regex), then every count-th
// of those starting at index, so shards of one sweep are disjoint and cover it.
// *matched receives how many jobs the filter matched before sharding.
std::vector<Job> select_jobs(const std::vector<Job>& jobs, const std::optional<std::string>& filter,
                             const Shard& shard, size_t* matched = nullptr);

// Hash of the canonical JSON dump (sorted keys), first 16 hex digits.
std::string config_hash(const nlohmann::json& config);

}  // namespace slim
