#include "harness/report/table.h"

#include "core/io/atomic_file.h"

namespace slim {

void write_tables(const std::filesystem::path& run_dir,
                  const std::vector<nlohmann::json>& records) {
  const SummaryTable table = summarize_records(records);
  write_file_atomically(run_dir / "table.md", std::string_view(table_markdown(table)));
  write_file_atomically(run_dir / "table.csv", std::string_view(table_csv(table)));
  write_file_atomically(run_dir / "table.tex", std::string_view(table_latex(table)));
}

}  // namespace slim
