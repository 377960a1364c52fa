// Typed reads of JSON object fields with one-line, pointer-naming errors.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/json_path.h"

namespace slim {

// Reads and parses a JSON file; a missing file or a syntax error is a UserError naming
// the file (and the line and column of a syntax error).
nlohmann::json read_json_document(const std::string& file);

void require_object(const nlohmann::json& value, const JsonPath& at);
// Fails on the first key not in `allowed`, listing the allowed keys.
void check_known_keys(const nlohmann::json& object, const std::vector<std::string>& allowed,
                      const JsonPath& at);
const nlohmann::json& require_key(const nlohmann::json& object, const std::string& key,
                                  const JsonPath& at);

std::string read_string(const nlohmann::json& value, const JsonPath& at);
int64_t read_int(const nlohmann::json& value, const JsonPath& at, int64_t min, int64_t max);
double read_number(const nlohmann::json& value, const JsonPath& at, double min, double max);
// A non-empty list, each element checked by `read_element`.
template <typename T, typename Read>
std::vector<T> read_list(const nlohmann::json& value, const JsonPath& at, Read read_element) {
  if (!value.is_array()) at.fail("expected a list, got {}", json_type_name(value));
  if (value.empty()) at.fail("an empty list expands to no jobs; give at least one value");
  std::vector<T> items;
  for (size_t i = 0; i < value.size(); ++i) items.push_back(read_element(value[i], at / i));
  return items;
}
// One of `choices`, else an error listing them.
std::string read_choice(const nlohmann::json& value, const JsonPath& at,
                        const std::vector<std::string>& choices, std::string_view what);

}  // namespace slim
