#include "methods/param_schema.h"

#include <fmt/format.h>

#include <cmath>

namespace slim {
namespace {

std::string type_name(ParamType type) {
  switch (type) {
    case ParamType::kInt:
      return "integer";
    case ParamType::kNumber:
      return "number";
    case ParamType::kBool:
      return "boolean";
    case ParamType::kString:
      return "string";
  }
  return "?";
}

std::string range_text(const ParamSpec& spec) {
  if (spec.min && spec.max) return fmt::format(" in [{}, {}]", *spec.min, *spec.max);
  if (spec.min) return fmt::format(" >= {}", *spec.min);
  if (spec.max) return fmt::format(" <= {}", *spec.max);
  return "";
}

bool has_type(const nlohmann::json& value, ParamType type) {
  switch (type) {
    case ParamType::kInt:
      return value.is_number_integer();
    case ParamType::kNumber:
      return value.is_number();
    case ParamType::kBool:
      return value.is_boolean();
    case ParamType::kString:
      return value.is_string();
  }
  return false;
}

std::vector<std::string> param_names(const ParamSchema& schema) {
  std::vector<std::string> names;
  for (const ParamSpec& spec : schema) names.push_back(spec.name);
  return names;
}

}  // namespace

ParamSpec int_param(std::string name, int64_t default_value, int64_t min, int64_t max,
                    std::string description) {
  ParamSpec spec{
      std::move(name), ParamType::kInt, default_value, std::move(description), {}, {}, {}};
  spec.min = static_cast<double>(min);
  spec.max = static_cast<double>(max);
  return spec;
}

ParamSpec number_param(std::string name, double default_value, double min, double max,
                       std::string description) {
  return {std::move(name), ParamType::kNumber, default_value, std::move(description), min, max, {}};
}

ParamSpec choice_param(std::string name, std::string default_value,
                       std::vector<std::string> choices, std::string description) {
  return {std::move(name), ParamType::kString, std::move(default_value), std::move(description),
          std::nullopt,    std::nullopt,       std::move(choices)};
}

ParamSpec bool_param(std::string name, bool default_value, std::string description) {
  return {std::move(name),
          ParamType::kBool,
          default_value,
          std::move(description),
          std::nullopt,
          std::nullopt,
          {}};
}

std::string describe_param(const ParamSpec& spec) {
  std::string text = spec.name + ": " + type_name(spec.type) + range_text(spec);
  if (!spec.choices.empty()) text += fmt::format(" (one of {})", fmt::join(spec.choices, ", "));
  return text + ", default " + spec.default_value.dump();
}

void check_param_value(const ParamSpec& spec, const nlohmann::json& value, const JsonPath& at) {
  if (!has_type(value, spec.type)) {
    at.fail("expected {} {}{}, got {} {}", spec.type == ParamType::kInt ? "an" : "a",
            type_name(spec.type), range_text(spec), json_type_name(value), json_excerpt(value));
  }
  if (spec.type == ParamType::kInt || spec.type == ParamType::kNumber) {
    const double x = value.get<double>();
    if (!std::isfinite(x) || (spec.min && x < *spec.min) || (spec.max && x > *spec.max)) {
      at.fail("{} is out of range; expected {}{}", json_excerpt(value), type_name(spec.type),
              range_text(spec));
    }
  }
  if (spec.type == ParamType::kString && !spec.choices.empty()) {
    const auto& text = value.get_ref<const std::string&>();
    if (std::find(spec.choices.begin(), spec.choices.end(), text) == spec.choices.end()) {
      at.fail("unknown value '{}'; valid choices: {}", text, fmt::join(spec.choices, ", "));
    }
  }
}

const ParamSpec& find_param(const ParamSchema& schema, const std::string& name,
                            const JsonPath& at) {
  for (const ParamSpec& spec : schema) {
    if (spec.name == name) return spec;
  }
  if (schema.empty()) at.fail("unknown parameter '{}'; this method takes no parameters", name);
  at.fail("unknown parameter '{}'; valid parameters: {}", name,
          fmt::join(param_names(schema), ", "));
}

nlohmann::json resolve_params(const ParamSchema& schema, const nlohmann::json& given,
                              const JsonPath& at) {
  if (!given.is_object()) {
    at.fail("expected an object of parameters, got {}", json_type_name(given));
  }
  for (const auto& [name, value] : given.items()) {
    check_param_value(find_param(schema, name, at / name), value, at / name);
  }
  nlohmann::json resolved = nlohmann::json::object();
  for (const ParamSpec& spec : schema) {
    resolved[spec.name] = given.contains(spec.name) ? given.at(spec.name) : spec.default_value;
  }
  return resolved;
}

}  // namespace slim
