#include "core/json_path.h"

namespace slim {
namespace {

std::string escape_pointer_token(std::string_view key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace

JsonPath JsonPath::operator/(std::string_view key) const {
  return JsonPath(file_, pointer_ + "/" + escape_pointer_token(key));
}

JsonPath JsonPath::operator/(size_t index) const {
  return JsonPath(file_, pointer_ + "/" + std::to_string(index));
}

std::string json_type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a number";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::array:
      return "a list";
    case nlohmann::json::value_t::object:
      return "an object";
    default:
      return "an unsupported value";
  }
}

std::string json_parse_error_text(const nlohmann::json::parse_error& error) {
  std::string message = error.what();
  if (const auto bracket = message.find("] "); bracket != std::string::npos) {
    message = message.substr(bracket + 2);
  }
  return message;
}

std::string json_excerpt(const nlohmann::json& value) {
  constexpr size_t kMaxChars = 60;
  std::string text = value.dump();
  if (text.size() > kMaxChars) text = text.substr(0, kMaxChars - 3) + "...";
  return text;
}

}  // namespace slim
