// Method: one compression plugin, as the registry (methods/registry.h) lists it.
//
// A method is a graph rewrite: apply() receives a trained model and leaves it
// compressed, in the same graph form (layers replaced, parameters encoded, masked or
// thinned). It may calibrate on the context's data and fine-tune through the training
// engine. It never times anything: backends and the harness measure.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_path.h"
#include "core/model.h"
#include "core/train/recipe.h"
#include "datasets/dataset.h"
#include "methods/param_schema.h"

namespace slim {

enum class MethodFamily { kBaseline, kQuantization, kPruning, kDistillation, kLowRank };

std::string_view family_name(MethodFamily family);

// What a step may use besides the model. Everything random derives from `seed`.
struct MethodContext {
  const Dataset& dataset;
  Recipe baseline_recipe;                    // how the model was trained; fine-tuning scales it
  std::vector<int64_t> calibration_indices;  // into dataset.train, fixed by the sweep's calibration
  uint64_t seed = 0;                         // the job's seed
  std::FILE* log = stderr;                   // progress text (training, calibration)
  // The job's trained model before the first step of its pipeline: the teacher when a
  // model distils into a fresh copy of itself, or guides its own compressed version.
  const Model* baseline_model = nullptr;
  // Another trained model, named as a sweep's "models" entry would name it: a zoo model
  // (trained with its zoo recipe and the job's seed, through the baseline cache, so a
  // teacher is trained once per seed) or a checkpoint path. Null outside the harness.
  std::function<Model(const std::string& source)> trained_model = {};
  // What a step found out besides the model (a sensitivity table, calibration ranges),
  // keyed by method name; the harness stores it in the job's record as "method_report".
  nlohmann::json report = nlohmann::json::object();
};

struct Method {
  std::string name;
  MethodFamily family;
  std::string description;  // one line, for `slimbench list methods`
  ParamSchema params;
  // `params` is resolved: every schema key present, every value checked.
  std::function<void(Model& model, const nlohmann::json& params, MethodContext& context)> apply;
  // Optional checks that need more than the schema (a teacher that must name a zoo model
  // or an existing file), run on each resolved combination when the sweep is loaded, so
  // bad input fails before any training. `at` is the step's "params" object.
  std::function<void(const nlohmann::json& params, const JsonPath& at)> check_params = {};
};

}  // namespace slim
