// StepPrefixCache: models after the first k steps of a pipeline, so pipelines that start
// alike share that work. "prune -> finetune", "prune -> finetune -> int8" and
// "prune -> finetune -> 4-bit weights" prune and fine-tune once, not three times.
//
// A prefix's key hashes what decides its result (model, seed, dataset, calibration and
// the steps so far, every parameter resolved), the same config the job ID hashes, so a
// reused prefix is exactly the model the steps would have produced again: methods are
// deterministic functions of the model, their parameters and the seeded context.
// The cache is small (the jobs of one model and seed run together; plan_jobs orders
// them so) and is emptied when the baseline changes.
#pragma once

#include <cstddef>
#include <list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "core/model.h"

namespace slim {

struct PrefixResult {
  Model model;
  nlohmann::json report;  // the method reports of the steps so far
};

class StepPrefixCache {
 public:
  explicit StepPrefixCache(size_t capacity = 4) : capacity_(capacity) {}

  // A copy of the cached result, or nullopt. A hit becomes the most recently used.
  std::optional<PrefixResult> find(const std::string& key);
  void store(const std::string& key, const Model& model, const nlohmann::json& report);
  void clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }

 private:
  size_t capacity_;
  std::list<std::pair<std::string, PrefixResult>> entries_;  // most recent first
};

}  // namespace slim
