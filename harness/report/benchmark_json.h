// Reading a Google Benchmark JSON file (--benchmark_out=F --benchmark_out_format=json) for
// `slimbench bench-compare`: each benchmark's per-repetition wall times and the file's
// context (machine, and what slimbench's bench programs add: CPU model, OpenBLAS core).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace slim {

// One benchmark's repetitions: the entries with run_type "iteration", in file order.
struct BenchmarkSamples {
  std::string name;
  std::vector<double> real_time_ns;  // real_time of each repetition, converted to ns
  std::string error_message;         // of the first repetition that reported an error
};

struct BenchmarkFile {
  std::string file;
  // The scalar entries of "context" as text: host_name, num_cpus, library_build_type, and
  // the custom ones (cpu_model, openblas_core, threads, build_type, git_commit, ...).
  std::map<std::string, std::string> context;
  std::vector<BenchmarkSamples> benchmarks;  // in order of first appearance
  size_t aggregates_ignored = 0;             // mean, median, stddev, cv entries skipped

  // nullptr when the file has no benchmark of that name.
  const BenchmarkSamples* find(const std::string& name) const;
};

// Parses an already-read document; `file` names it in errors. Throws UserError naming the
// file and the JSON pointer of the first problem ("f.json: /benchmarks/3/real_time:
// expected a number, got a string"), or when the file holds only aggregates (run with
// --benchmark_report_aggregates_only), since the test needs every repetition.
BenchmarkFile parse_benchmark_json(const nlohmann::json& document, const std::string& file);

// Reads and parses `path`; a missing or unreadable file, or text that is not JSON, is a
// UserError naming the file.
BenchmarkFile read_benchmark_json(const std::filesystem::path& path);

// Nanoseconds per `time_unit` as Google Benchmark writes it ("ns", "us", "ms", "s"); 0 for
// anything else.
double nanoseconds_per_unit(const std::string& time_unit);

}  // namespace slim
