// Comparing two result sets (a committed baseline and a new run) job by job, for CI:
// did accuracy drop, did the model grow, did inference get slower?
#pragma once

#include <cstdio>
#include <filesystem>

namespace slim {

struct CompareOptions {
  double max_accuracy_drop = 0.005;  // absolute, in accuracy fraction (0.005 = 0.5 points)
  double max_size_growth = 0.0;      // relative (0.0: any growth is a regression)
  double latency_alpha = 0.05;       // rank-test significance
  // AND the median must be at least 5% slower: with hundreds of samples the rank test
  // finds tiny-but-significant differences that are noise for our purposes.
  double min_latency_slowdown = 0.05;
  bool check_latency = true;
};

// base/current: run directories or runs.jsonl files. Prints a delta table to `out` (job,
// accuracy Δ, size Δ, per batch size p50 Δ% and the rank-test p) and a one-line verdict.
// Returns 0 when no regression, 1 when any. Jobs are matched by job_id (when a file holds
// a job twice, as after a resumed sweep, its last record counts); unmatched ones are listed
// (not a failure) but no matching job at all is a UserError. A failed record in current
// where base was ok is a regression.
int compare_results(const std::filesystem::path& base, const std::filesystem::path& current,
                    const CompareOptions& options, std::FILE* out);

}  // namespace slim
