// `slimbench run`: a sweep file in, a results directory and a table out.
//
// Order of events: validate everything (nothing is written before this passes), plan
// and select jobs, load the dataset, create or reopen the run directory, run each job
// not yet recorded, then write the tables and print the Markdown one.
#pragma once

#include <optional>
#include <string>

#include "harness/job.h"

namespace slim {

struct RunOptions {
  std::string file;
  bool dry_run = false;
  std::optional<std::string> filter;
  Shard shard;
  bool resume = false;                     // continue the newest run of this sweep and shard
  std::optional<std::string> run_dir;      // continue this run instead
  std::optional<std::string> results_dir;  // overrides the file's results_dir
};

// 0 when every job succeeded, 1 when any failed (their records say why). Bad input
// throws UserError before anything is written.
int run_sweep(const RunOptions& options);

}  // namespace slim
