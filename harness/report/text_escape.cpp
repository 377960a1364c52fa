#include "harness/report/text_escape.h"

#include <array>
#include <utility>

namespace slim {
namespace {

// UTF-8 sequences with a LaTeX spelling; anything else non-ASCII passes through.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kLatexSymbols = {{
    {"±", "$\\pm$"},
    {"µ", "$\\mu$"},
    {"Δ", "$\\Delta$"},
    {"†", "$^\\dagger$"},
    {"×", "$\\times$"},
    {"–", "--"},
}};

std::string_view latex_for_ascii(char c) {
  switch (c) {
    case '\\':
      return "\\textbackslash{}";
    case '~':
      return "\\textasciitilde{}";
    case '^':
      return "\\textasciicircum{}";
    case '&':
      return "\\&";
    case '%':
      return "\\%";
    case '#':
      return "\\#";
    case '_':
      return "\\_";
    case '$':
      return "\\$";
    case '{':
      return "\\{";
    case '}':
      return "\\}";
    default:
      return {};
  }
}

}  // namespace

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string latex_escape(std::string_view text) {
  std::string escaped;
  for (size_t i = 0; i < text.size();) {
    bool matched_symbol = false;
    for (const auto& [utf8, latex] : kLatexSymbols) {
      if (text.substr(i).starts_with(utf8)) {
        escaped += latex;
        i += utf8.size();
        matched_symbol = true;
        break;
      }
    }
    if (matched_symbol) continue;
    const std::string_view special = latex_for_ascii(text[i]);
    if (special.empty()) {
      escaped += text[i];
    } else {
      escaped += special;
    }
    ++i;
  }
  return escaped;
}

std::string markdown_escape(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '|') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

}  // namespace slim
