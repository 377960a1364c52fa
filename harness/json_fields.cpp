#include "harness/json_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

namespace slim {

nlohmann::json read_json_document(const std::string& file) {
  std::ifstream in(file);
  if (!in) fail("{}: cannot open the file", file);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    fail("{}: not valid JSON: {}", file, json_parse_error_text(e));
  }
}

void require_object(const nlohmann::json& value, const JsonPath& at) {
  if (!value.is_object()) at.fail("expected an object, got {}", json_type_name(value));
}

void check_known_keys(const nlohmann::json& object, const std::vector<std::string>& allowed,
                      const JsonPath& at) {
  require_object(object, at);
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      (at / key).fail("unknown key '{}'; valid keys: {}", key, fmt::join(allowed, ", "));
    }
  }
}

const nlohmann::json& require_key(const nlohmann::json& object, const std::string& key,
                                  const JsonPath& at) {
  auto it = object.find(key);
  if (it == object.end()) (at / key).fail("required key '{}' is missing", key);
  return *it;
}

std::string read_string(const nlohmann::json& value, const JsonPath& at) {
  if (!value.is_string()) {
    at.fail("expected a string, got {} {}", json_type_name(value), json_excerpt(value));
  }
  return value.get<std::string>();
}

int64_t read_int(const nlohmann::json& value, const JsonPath& at, int64_t min, int64_t max) {
  if (!value.is_number_integer()) {
    at.fail("expected an integer in [{}, {}], got {} {}", min, max, json_type_name(value),
            json_excerpt(value));
  }
  // Unsigned values above int64's range would wrap: compare before converting.
  if (value.is_number_unsigned() &&
      value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    at.fail("{} is out of range [{}, {}]", json_excerpt(value), min, max);
  }
  const auto x = value.get<int64_t>();
  if (x < min || x > max) at.fail("{} is out of range [{}, {}]", x, min, max);
  return x;
}

double read_number(const nlohmann::json& value, const JsonPath& at, double min, double max) {
  if (!value.is_number()) {
    at.fail("expected a number in [{}, {}], got {} {}", min, max, json_type_name(value),
            json_excerpt(value));
  }
  const auto x = value.get<double>();
  if (!std::isfinite(x) || x < min || x > max) {
    at.fail("{} is out of range [{}, {}]", x, min, max);
  }
  return x;
}

std::string read_choice(const nlohmann::json& value, const JsonPath& at,
                        const std::vector<std::string>& choices, std::string_view what) {
  const std::string text = read_string(value, at);
  if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
    at.fail("unknown {} '{}'; valid choices: {}", what, text, fmt::join(choices, ", "));
  }
  return text;
}

}  // namespace slim
