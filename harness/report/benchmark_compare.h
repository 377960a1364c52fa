// `slimbench bench-compare`: two Google Benchmark JSON files, benchmark by benchmark, with
// the Mann-Whitney U test on their repetitions (as google/benchmark's tools/compare.py).
//
// A benchmark regressed when its repetitions are significantly slower (one-sided rank
// test, p < alpha) AND its median slowed by more than min_change: with many repetitions
// the test finds differences too small to matter, and a large median change without
// significance is noise. Improvements are the mirror image.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "harness/report/benchmark_json.h"

namespace slim {

struct BenchCompareOptions {
  double alpha = 0.05;
  double min_change = 0.05;  // relative change of the median, 0.05 = 5%
  std::string filter;        // ECMAScript regex searched in names; empty: every benchmark
};

// Below this many repetitions a side, the rank test rarely reaches significance and its
// normal approximation is poor (compare.py warns at the same count).
inline constexpr size_t kMinBenchmarkRepetitions = 9;

enum class BenchVerdict { kSame, kRegression, kImprovement };

struct BenchmarkComparison {
  std::string name;
  size_t n_base = 0;
  size_t n_current = 0;
  double median_base_ns = 0;
  double median_current_ns = 0;
  double change = 0;    // median_current / median_base - 1
  double p_slower = 1;  // one-sided, H1: current tends to be slower
  double p_faster = 1;  // one-sided, H1: current tends to be faster
  BenchVerdict verdict = BenchVerdict::kSame;

  bool too_few_repetitions() const {
    return n_base < kMinBenchmarkRepetitions || n_current < kMinBenchmarkRepetitions;
  }
  // The p-value of the direction the median moved, for display.
  double p_value() const { return change > 0 ? p_slower : p_faster; }
};

// Both sides must be non-empty.
BenchmarkComparison compare_benchmark(const std::string& name, std::span<const double> base_ns,
                                      std::span<const double> current_ns,
                                      const BenchCompareOptions& options);

struct BenchFilesComparison {
  std::vector<BenchmarkComparison> compared;  // in the current file's order
  std::vector<std::string> only_in_base, only_in_current;
  // "<name>: <error message>" of benchmarks that reported an error (SkipWithError). One
  // that ran in base and fails now is a regression, as in `slimbench compare`.
  std::vector<std::string> failed_in_current, failed_in_base;
  // "cpu_model: AMD EPYC (base) vs Intel Xeon (current)" for each identity key that
  // differs (host, CPU, core count, OpenBLAS core, threads, build type).
  std::vector<std::string> context_differences;

  // Slower benchmarks plus those failing only now.
  size_t regressions() const;
  size_t improvements() const;
};

// Pairs benchmarks by name (those matching options.filter). Throws UserError for an
// invalid filter, or when no benchmark is on both sides (wrong files, or a filter that
// matches nothing), since a comparison of nothing would pass silently.
BenchFilesComparison compare_benchmark_files(const BenchmarkFile& base,
                                             const BenchmarkFile& current,
                                             const BenchCompareOptions& options);

// Reads both files, prints their context, warnings, a table (name, repetitions, median
// base and current, change, p, verdict), the unmatched benchmarks and a verdict line.
// Returns 1 when any benchmark regressed, 0 otherwise; bad input throws UserError.
int run_bench_compare(const std::filesystem::path& base, const std::filesystem::path& current,
                      const BenchCompareOptions& options, std::FILE* out);

}  // namespace slim
