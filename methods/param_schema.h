// Parameter schemas: what a method accepts, with types, defaults, ranges and choices.
//
// One schema feeds three things: sweep validation (every error names the JSON pointer
// and the valid choices), `slimbench list methods`, and the resolved parameters a job
// records (defaults filled in, so a job's ID changes when a default does).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/json_path.h"

namespace slim {

enum class ParamType { kInt, kNumber, kBool, kString };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kInt;
  nlohmann::json default_value;
  std::string description;
  std::optional<double> min;  // inclusive bounds, for kInt and kNumber
  std::optional<double> max;
  std::vector<std::string> choices;  // for kString; empty means any string
};

using ParamSchema = std::vector<ParamSpec>;

// Builders that keep schema tables short and readable.
ParamSpec int_param(std::string name, int64_t default_value, int64_t min, int64_t max,
                    std::string description);
ParamSpec number_param(std::string name, double default_value, double min, double max,
                       std::string description);
ParamSpec choice_param(std::string name, std::string default_value,
                       std::vector<std::string> choices, std::string description);
ParamSpec bool_param(std::string name, bool default_value, std::string description);

// "bits: integer in [2, 8], default 8"
std::string describe_param(const ParamSpec& spec);
// Throws a UserError at `at` unless `value` is a valid scalar for `spec`.
void check_param_value(const ParamSpec& spec, const nlohmann::json& value, const JsonPath& at);
// The spec for `name`; a UserError at `at` lists the valid names when there is none.
const ParamSpec& find_param(const ParamSchema& schema, const std::string& name, const JsonPath& at);
// Fills defaults into `given` (an object of scalar values) after checking every value.
nlohmann::json resolve_params(const ParamSchema& schema, const nlohmann::json& given,
                              const JsonPath& at);

}  // namespace slim
