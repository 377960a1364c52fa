#include <fmt/format.h>

#include "harness/report/table.h"
#include "harness/report/table_layout.h"
#include "harness/report/text_escape.h"

namespace slim {
namespace {

std::string latex_cell(const Cell& cell) {
  std::string text = latex_escape(cell.value);
  if (!cell.spread.empty()) text += " $\\pm$ " + latex_escape(cell.spread);
  if (cell.dagger) text += "$^\\dagger$";
  return text;
}

std::string latex_row(const std::vector<std::string>& cells) {
  std::string line;
  for (const std::string& cell : cells) {
    if (&cell != &cells.front()) line += " & ";
    line += cell;
  }
  return line + " \\\\\n";
}

std::string column_spec(const std::vector<Column>& columns) {
  std::string spec;
  for (const Column& column : columns) spec += column.align == Align::left ? 'l' : 'r';
  return spec;
}

}  // namespace

std::string table_latex(const SummaryTable& table) {
  const TableLayout layout = lay_out_table(table);
  std::vector<std::string> titles;
  for (const Column& column : layout.columns) titles.push_back(latex_escape(column.title));

  std::string text =
      fmt::format("\\begin{{tabular}}{{{}}}\n\\toprule\n", column_spec(layout.columns));
  text += latex_row(titles) + "\\midrule\n";
  for (const std::vector<Cell>& row : layout.rows) {
    std::vector<std::string> cells;
    for (const Cell& cell : row) cells.push_back(latex_cell(cell));
    text += latex_row(cells);
  }
  text += "\\bottomrule\n";
  // Notes span the table so they stay with it wherever the caption goes.
  for (const std::string& note : layout.notes) {
    text += fmt::format("\\multicolumn{{{}}}{{l}}{{\\footnotesize {}}} \\\\\n",
                        layout.columns.size(), latex_escape(note));
  }
  text += "\\end{tabular}\n";
  return text;
}

}  // namespace slim
