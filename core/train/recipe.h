// Recipe: everything that decides how a model is trained, so that (model, dataset,
// recipe, seed) identifies a trained baseline. Stored in checkpoint metadata and
// hashed for the baseline cache.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/train/lr_schedule.h"

namespace slim {

struct Recipe {
  int epochs = 10;
  int64_t batch_size = 128;
  float lr = 0.05f;
  std::string schedule = "cosine";  // constant | cosine | step
  int step_epochs = 10;             // for "step"
  float step_gamma = 0.1f;          // for "step"
  float momentum = 0.9f;
  bool nesterov = true;
  float weight_decay = 5e-4f;
  uint64_t seed = 0;

  LrSchedule lr_schedule() const;
  nlohmann::json to_json() const;
  // Overlays the keys present in `json` on `base`; unknown keys and bad values are
  // UserErrors that name `where` (a file and JSON path) and the valid choices.
  static Recipe from_json(const nlohmann::json& json, const Recipe& base, std::string_view where);
};

}  // namespace slim
