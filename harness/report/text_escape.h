// Making arbitrary text (labels, parameter strings, notes) safe inside CSV and LaTeX.
#pragma once

#include <string>
#include <string_view>

namespace slim {

// One RFC 4180 field: quoted, with quotes doubled, when it holds a comma, a double quote,
// a CR or an LF; unchanged otherwise.
std::string csv_field(std::string_view text);

// Text for a LaTeX tabular cell: the special characters (\ { } $ & % # _ ^ ~) are escaped,
// and the few non-ASCII symbols the tables use (±, µ, Δ, †, ×, –) become math-mode or
// dash equivalents, so the output compiles without inputenc/unicode setup.
std::string latex_escape(std::string_view text);

// Markdown table cell text: '|' would end the cell, so it is escaped.
std::string markdown_escape(std::string_view text);

}  // namespace slim
