// The results table of a sweep, one row per configuration (its seeds aggregated), in the
// three forms people use: Markdown for READMEs and terminals, CSV for spreadsheets and
// plotting, LaTeX (booktabs) for papers.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/report/summary.h"

namespace slim {

// A GitHub-flavoured Markdown table followed by its notes (spread, energy source, daggers).
std::string table_markdown(const SummaryTable& table);

// RFC 4180 CSV with a header row and CRLF line ends. Plain numbers at full precision in
// their table units, mean and std in separate columns (std empty when n < 2), validity of
// latency as true/false, empty fields for missing values.
std::string table_csv(const SummaryTable& table);

// A booktabs tabular (\toprule, \midrule, \bottomrule) ready to be placed inside a table
// environment with a caption; the notes follow \bottomrule as a full-width row.
// Needs \usepackage{booktabs}.
std::string table_latex(const SummaryTable& table);

// Writes table.md, table.csv and table.tex into `run_dir`, each atomically, so a reader
// never sees a half-written table while a sweep is still appending records.
void write_tables(const std::filesystem::path& run_dir, const std::vector<nlohmann::json>& records);

}  // namespace slim
