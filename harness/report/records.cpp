#include "harness/report/records.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json_path.h"

namespace slim {
namespace {

constexpr std::string_view kSchema = "slimbench-run-1";

std::string read_whole_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    fail("cannot read {}: no such file (expected a runs.jsonl or a run directory)", file.string());
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) fail("cannot read {}: I/O error", file.string());
  return bytes;
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

nlohmann::json parse_record(std::string_view line, const std::filesystem::path& file,
                            size_t line_number) {
  nlohmann::json record;
  try {
    record = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    fail("{}:{}: not valid JSON: {}", file.string(), line_number, json_parse_error_text(e));
  }
  if (!record.is_object()) fail("{}:{}: expected a JSON object", file.string(), line_number);
  // A record of another schema would be misread field by field; refuse it whole.
  const auto schema = record.find("schema");
  if (schema != record.end() && *schema != kSchema) {
    fail("{}:{}: unsupported schema {} (this slimbench reads \"{}\")", file.string(), line_number,
         schema->dump(), kSchema);
  }
  return record;
}

}  // namespace

std::filesystem::path runs_file_for(const std::filesystem::path& path) {
  return std::filesystem::is_directory(path) ? path / "runs.jsonl" : path;
}

std::vector<nlohmann::json> read_run_records(const std::filesystem::path& path,
                                             bool* dropped_partial_line) {
  const std::filesystem::path file = runs_file_for(path);
  const std::string text = read_whole_file(file);
  if (dropped_partial_line != nullptr) *dropped_partial_line = false;

  std::vector<nlohmann::json> records;
  size_t line_number = 0;
  for (size_t start = 0; start < text.size();) {
    ++line_number;
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      // Only a writer that died mid-append leaves text after the last newline.
      if (dropped_partial_line != nullptr) *dropped_partial_line = true;
      break;
    }
    const std::string_view line(text.data() + start, end - start);
    if (!is_blank(line)) records.push_back(parse_record(line, file, line_number));
    start = end + 1;
  }
  return records;
}

}  // namespace slim
