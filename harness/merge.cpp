#include "harness/merge.h"

#include <fmt/format.h>

#include <fstream>
#include <map>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "harness/report/records.h"
#include "harness/report/table.h"
#include "harness/run_directory.h"

namespace slim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json read_json_or_fail(const fs::path& file) {
  std::ifstream in(file);
  if (!in) fail("{}: missing; is this a slimbench run directory?", file.string());
  json value = json::parse(in, nullptr, false);
  if (value.is_discarded()) fail("{}: not valid JSON", file.string());
  return value;
}

fs::path default_merge_path(const fs::path& first_run) {
  const std::string stamp = run_timestamp();
  fs::path path = first_run.parent_path() / (stamp + "-merged");
  for (int n = 1; fs::exists(path); ++n) {
    path = first_run.parent_path() / fmt::format("{}-merged-{}", stamp, n);
  }
  return path;
}

// Keeps one record per job: the first ok one, else the first one seen.
std::vector<json> unite_records(const std::vector<fs::path>& run_dirs) {
  std::vector<json> merged;
  std::map<std::string, size_t> index_of_job;
  for (const fs::path& dir : run_dirs) {
    for (json& record : read_run_records(dir)) {
      const std::string id = record.value("job_id", "");
      auto it = index_of_job.find(id);
      if (it == index_of_job.end()) {
        index_of_job.emplace(id, merged.size());
        merged.push_back(std::move(record));
      } else if (merged[it->second].value("status", "") != "ok" &&
                 record.value("status", "") == "ok") {
        merged[it->second] = std::move(record);
      }
    }
  }
  return merged;
}

std::string records_text(const std::vector<json>& records) {
  std::string text;
  for (const json& record : records) text += record.dump() + "\n";
  return text;
}

}  // namespace

fs::path merge_runs(const std::vector<fs::path>& run_dirs, const std::optional<fs::path>& out) {
  if (run_dirs.empty()) fail("merge: give at least one run directory");
  json sweep = read_json_or_fail(run_dirs.front() / "sweep.json");
  json environments = json::array();
  for (const fs::path& dir : run_dirs) {
    const json other = read_json_or_fail(dir / "sweep.json");
    if (other.value("name", "") != sweep.value("name", "")) {
      fail("merge: {} is from sweep '{}', but {} is from '{}'", dir.string(),
           other.value("name", ""), run_dirs.front().string(), sweep.value("name", ""));
    }
    environments.push_back({{"run", dir.string()}, {"env", read_json_or_fail(dir / "env.json")}});
  }
  const std::vector<json> records = unite_records(run_dirs);
  const fs::path target = out ? *out : default_merge_path(run_dirs.front());
  if (fs::exists(target / "runs.jsonl")) fail("merge: {} already holds results", target.string());
  std::error_code error;
  fs::create_directories(target, error);
  if (error) fail("merge: cannot create {}: {}", target.string(), error.message());

  sweep["merged_from"] = json::array();
  for (const fs::path& dir : run_dirs) sweep["merged_from"].push_back(dir.string());
  write_file_atomically(target / "sweep.json", sweep.dump(2) + "\n");
  write_file_atomically(target / "env.json", json{{"runs", environments}}.dump(2) + "\n");
  write_file_atomically(target / "runs.jsonl", records_text(records));
  write_tables(target, records);
  return target;
}

}  // namespace slim
