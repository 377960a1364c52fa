// A run directory, results/<sweep>/<run-id>/, and the only code that writes into it.
//
//   sweep.json   the sweep file as run, with its hash, shard and filter   (atomic)
//   env.json     machine, build, libraries, dataset checksums            (atomic)
//   runs.jsonl   one record per finished job, appended                    (see below)
//   table.{md,csv,tex}                                                    (atomic)
//
// runs.jsonl is append-only. Each record is one write(2) of a complete line followed by
// fsync, so a SIGKILL leaves at worst a partial last line without its '\n'; opening the
// directory again cuts that line off, and its job reruns. No record is lost or doubled.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace slim {

class RunDirectory {
 public:
  // Creates `path` (and its parents); a UserError if it already exists.
  static RunDirectory create(const std::filesystem::path& path);
  // Opens an existing run, truncating an interrupted last record away.
  static RunDirectory reopen(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path runs_file() const { return path_ / "runs.jsonl"; }

  void append_record(const nlohmann::json& record) const;
  std::vector<nlohmann::json> records() const;
  std::set<std::string> recorded_job_ids() const;
  void write_json(const std::string& name, const nlohmann::json& value) const;

 private:
  explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// The UTC time as run IDs spell it, e.g. "20261126T160512Z": sortable as text.
std::string run_timestamp();

// results/<sweep>/<run-id> for a new run. The run ID is the UTC start time, sortable,
// e.g. "20261126T160512Z", then "-N" if that second is taken, then "-shard1of4" for a shard.
std::filesystem::path unused_run_path(const std::filesystem::path& sweep_dir, int shard_index,
                                      int shard_count);

// The newest run under `sweep_dir` made for the same shard, if any.
std::optional<std::filesystem::path> latest_run(const std::filesystem::path& sweep_dir,
                                                int shard_index, int shard_count);

}  // namespace slim
