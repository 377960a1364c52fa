// `slimbench merge`: joins the run directories of a sharded sweep (or of several
// resumed attempts) into one, so tables, plots and compare see the whole sweep.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

namespace slim {

// Records are united by job_id; a job recorded twice keeps its first "ok" record (a
// failed attempt loses to a successful one). Every input must come from the same sweep
// name. Writes runs.jsonl, sweep.json, env.json ({"runs": [each input's env]}) and the
// tables atomically into `out`, by default results/<sweep>/<time>-merged next to the
// first input. Returns the directory written.
std::filesystem::path merge_runs(const std::vector<std::filesystem::path>& run_dirs,
                                 const std::optional<std::filesystem::path>& out);

}  // namespace slim
