#include <fmt/format.h>

#include "harness/report/table.h"
#include "harness/report/table_layout.h"
#include "harness/report/text_escape.h"

namespace slim {
namespace {

std::string markdown_cell(const Cell& cell) {
  std::string text = markdown_escape(cell.value);
  if (!cell.spread.empty()) text += " ± " + cell.spread;
  if (cell.dagger) text += "†";
  return text;
}

std::string markdown_row(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const std::string& cell : cells) line += " " + cell + " |";
  return line + "\n";
}

std::string alignment_row(const std::vector<Column>& columns) {
  std::string line = "|";
  for (const Column& column : columns) line += column.align == Align::left ? " :--- |" : " ---: |";
  return line + "\n";
}

}  // namespace

std::string table_markdown(const SummaryTable& table) {
  const TableLayout layout = lay_out_table(table);
  std::vector<std::string> titles;
  for (const Column& column : layout.columns) titles.push_back(markdown_escape(column.title));

  std::string text = markdown_row(titles) + alignment_row(layout.columns);
  for (const std::vector<Cell>& row : layout.rows) {
    std::vector<std::string> cells;
    for (const Cell& cell : row) cells.push_back(markdown_cell(cell));
    text += markdown_row(cells);
  }
  if (!layout.notes.empty()) text += "\n";
  for (const std::string& note : layout.notes) text += note + "\n";
  return text;
}

}  // namespace slim
