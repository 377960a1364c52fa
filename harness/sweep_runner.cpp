#include "harness/sweep_runner.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "core/gemm.h"
#include "core/json_path.h"
#include "core/sha256.h"
#include "datasets/registry.h"
#include "harness/job_runner.h"
#include "harness/measure/environment.h"
#include "harness/report/summary.h"
#include "harness/report/table.h"
#include "harness/run_directory.h"
#include "harness/sweep_progress.h"

namespace slim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void print_dry_run(const std::vector<Job>& all, const std::vector<Job>& selected) {
  fmt::print("{} job(s) selected of {}\n", selected.size(), all.size());
  for (const Job& job : selected) fmt::print("{}  {}\n", job.id, job.summary());
}

Dataset load_sweep_dataset(const Sweep& sweep) {
  try {
    return load_dataset(sweep.dataset);
  } catch (const UserError& e) {
    (JsonPath(sweep.file) / "dataset").fail("{}", e.what());
  }
}

json sweep_manifest(const Sweep& sweep, const RunOptions& options) {
  return {{"file", sweep.file},
          {"name", sweep.name},
          {"sha256", sha256_hex(sweep.document.dump())},
          {"shard", fmt::format("{}/{}", options.shard.index, options.shard.count)},
          {"filter", options.filter ? json(*options.filter) : json(nullptr)},
          {"document", sweep.document}};
}

RunDirectory open_run_directory(const Sweep& sweep, const RunOptions& options) {
  const fs::path sweep_dir = fs::path(sweep.results_dir) / sweep.name;
  if (options.run_dir) return RunDirectory::reopen(*options.run_dir);
  if (options.resume) {
    const auto latest = latest_run(sweep_dir, options.shard.index, options.shard.count);
    if (!latest) {
      fail("--resume: no earlier run of '{}' (shard {}/{}) under {}; run without --resume",
           sweep.name, options.shard.index, options.shard.count, sweep_dir.string());
    }
    fmt::print(stderr, "resuming {}\n", latest->string());
    return RunDirectory::reopen(*latest);
  }
  return RunDirectory::create(unused_run_path(sweep_dir, options.shard.index, options.shard.count));
}

// A resumed run whose sweep file was edited: the new document goes beside the first one
// (sweep.resumed.json), so the directory holds the config of every record in it.
void note_if_sweep_changed(const RunDirectory& run, const json& manifest) {
  const fs::path file = run.path() / "sweep.json";
  if (!fs::exists(file)) return;
  std::ifstream in(file);
  const json previous = json::parse(in, nullptr, false);
  if (!previous.is_discarded() && previous.value("sha256", "") != manifest.at("sha256")) {
    fmt::print(stderr,
               "warning: the sweep file changed since this run started; finished jobs whose "
               "config is unchanged are kept, the rest run now\n");
    run.write_json("sweep.resumed.json", manifest);
  }
}

// The records of jobs the sweep still has. After an edit, the records of jobs it no longer
// has stay in runs.jsonl (nothing written is lost) but would be stale rows in the tables.
std::vector<json> records_of_current_jobs(const std::vector<json>& records,
                                          const std::vector<Job>& jobs) {
  std::set<std::string> ids;
  for (const Job& job : jobs) ids.insert(job.id);
  std::vector<json> current;
  for (const json& record : records) {
    if (ids.contains(record.value("job_id", ""))) current.push_back(record);
  }
  if (const size_t stale = records.size() - current.size(); stale > 0) {
    fmt::print(stderr,
               "note: {} record(s) in runs.jsonl belong to jobs the edited sweep no longer "
               "has; they stay there but are left out of the tables\n",
               stale);
  }
  return current;
}

void warn_about_openblas() {
  const std::string core = openblas_core_name();
  if (openblas_core_is_fallback(core)) {
    fmt::print(stderr,
               "warning: OpenBLAS uses the generic '{}' core on this CPU; FP32 GEMM timings "
               "are ~7x slower than they should be (recorded in env.json)\n",
               core);
  }
  if (const std::string forced = openblas_forced_core(); !forced.empty()) {
    fmt::print(stderr,
               "note: OPENBLAS_CORETYPE={} in the environment chooses OpenBLAS's '{}' core, not "
               "OpenBLAS itself; FP32 openblas timings depend on it (recorded in env.json)\n",
               forced, core);
  }
}

bool any_failed(const std::vector<json>& records, const std::set<std::string>& ids) {
  for (const json& record : records) {
    if (ids.contains(record.value("job_id", "")) && record.value("status", "") != "ok") return true;
  }
  return false;
}

}  // namespace

int run_sweep(const RunOptions& options) {
  const Sweep sweep = load_sweep(options.file, options.results_dir);
  const std::vector<Job> jobs = plan_jobs(sweep);
  size_t matched = 0;
  const std::vector<Job> selected = select_jobs(jobs, options.filter, options.shard, &matched);
  if (options.filter && matched == 0) {
    fail("--filter '{}' matches none of the {} jobs (see --dry-run)", *options.filter, jobs.size());
  }
  if (options.dry_run) {
    print_dry_run(jobs, selected);
    return 0;
  }
  const Dataset dataset = load_sweep_dataset(sweep);
  validate_against_dataset(sweep, dataset);

  // Validation is over: from here on, things are written.
  const RunDirectory run = open_run_directory(sweep, options);
  const json manifest = sweep_manifest(sweep, options);
  const std::set<std::string> recorded = run.recorded_job_ids();
  if (recorded.empty()) {
    run.write_json("sweep.json", manifest);
  } else {
    note_if_sweep_changed(run, manifest);
  }
  EnvironmentOptions environment{sweep.measure.threads, dataset.files};
  run.write_json(recorded.empty() ? "env.json" : "env.resumed.json",
                 collect_environment(environment));
  warn_about_openblas();

  std::set<std::string> selected_ids;
  size_t already_done = 0;
  for (const Job& job : selected) {
    selected_ids.insert(job.id);
    already_done += recorded.contains(job.id);
  }
  fmt::print(stderr, "{}: {} job(s), {} already recorded, results in {}\n", sweep.name,
             selected.size(), already_done, run.path().string());
  SweepProgress progress(stderr, selected.size(), already_done);
  JobRunner runner(sweep, dataset, fs::path(sweep.results_dir) / "cache", stderr);
  for (const Job& job : selected) {
    if (recorded.contains(job.id)) continue;
    progress.start_job(job.summary());
    const json record = runner.run(job);
    run.append_record(record);
    progress.finish_job(job.summary(), record);
  }

  const std::vector<json> records = records_of_current_jobs(run.records(), jobs);
  write_tables(run.path(), records);
  fmt::print("\n{}", table_markdown(summarize_records(records)));
  fmt::print("\nresults: {}\n", run.path().string());
  return any_failed(records, selected_ids) ? 1 : 0;
}

}  // namespace slim
