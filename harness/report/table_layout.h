// The presentation-independent shape of the summary table: which columns exist, their
// titles, and each cell's formatted text. The Markdown and LaTeX renderers share it, so the
// two can never disagree about a number; each only adds its own syntax. (The CSV file is
// data, not presentation, and is written from the SummaryTable directly.)
#pragma once

#include <string>
#include <vector>

#include "harness/report/summary.h"

namespace slim {

enum class Align { left, right };

struct Column {
  std::string title;  // UTF-8 (µ, Δ); renderers escape it
  Align align = Align::right;
};

struct Cell {
  std::string value;    // a label, a formatted mean, "failed" or "–"
  std::string spread;   // the formatted standard deviation; empty when not shown
  bool dagger = false;  // an invalid latency measurement contributed
};

struct TableLayout {
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
  std::vector<std::string> notes;  // footnotes, UTF-8, one sentence each
};

TableLayout lay_out_table(const SummaryTable& table);

// The text used for a value that is missing.
inline constexpr const char* kMissingCell = "–";

}  // namespace slim
