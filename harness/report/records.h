// Reading a sweep's runs.jsonl: one JSON object per line, one line per finished job.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

namespace slim {

// The runs.jsonl inside `path` when it is a directory, else `path` itself.
std::filesystem::path runs_file_for(const std::filesystem::path& path);

// Reads runs.jsonl (the file, or a run directory containing it), in file order.
// Every complete line must be a JSON object, else UserError "FILE:LINE: ...". Blank lines
// are skipped. A final line without a trailing '\n' is an append that was interrupted (the
// sweep was killed mid-write): it is ignored, not an error, and reported through
// *dropped_partial_line (set to false otherwise).
std::vector<nlohmann::json> read_run_records(const std::filesystem::path& path,
                                             bool* dropped_partial_line = nullptr);

}  // namespace slim
