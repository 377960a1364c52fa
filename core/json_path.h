// JsonPath: where a value sits in which JSON file, for one-line errors such as
//   experiments/q.json: /pipelines/2/steps/0/params/bits: expected an integer in [2, 8], got -1
// Pointers follow RFC 6901 (JSON Pointer), so "~" and "/" inside keys are escaped.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/error.h"

namespace slim {

class JsonPath {
 public:
  explicit JsonPath(std::string file, std::string pointer = "")
      : file_(std::move(file)), pointer_(std::move(pointer)) {}

  JsonPath operator/(std::string_view key) const;
  JsonPath operator/(size_t index) const;

  const std::string& file() const { return file_; }
  // "" is the document root; str() prints it as "/".
  const std::string& pointer() const { return pointer_; }
  std::string str() const { return file_ + ": " + (pointer_.empty() ? "/" : pointer_); }

  // Throws UserError("<file>: <pointer>: <message>").
  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) const {
    throw UserError(str() + ": " + fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  std::string file_;
  std::string pointer_;
};

// "an integer", "a string", ... for "expected X, got Y" messages.
std::string json_type_name(const nlohmann::json& value);
// A parse error's message without nlohmann's "[json.exception.parse_error.101] " prefix:
// the caller names the file (and line), which says more.
std::string json_parse_error_text(const nlohmann::json::parse_error& error);
// The value as the user wrote it, shortened so an error message stays one line.
std::string json_excerpt(const nlohmann::json& value);

}  // namespace slim
