// Building runs.jsonl records for the report tests, with every field a test does not care
// about set to a plausible value, so each test states only what it checks.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace slim::test {

// An "ok" lenet-5 / int8-weight / openblas record with accuracy, size, MACs and energy,
// and no latency.
nlohmann::json sample_record(const std::string& job_id, const std::string& group_id, int seed,
                             double accuracy);

// A failed record: no metrics, an error message.
nlohmann::json failed_record(const std::string& job_id, const std::string& group_id, int seed);

// One metrics.latency entry holding `samples` (p50 is their median).
nlohmann::json latency_entry(long batch_size, const std::vector<double>& samples_us,
                             bool valid = true);

// `count` deterministic timings spread evenly over center * [1 - spread, 1 + spread],
// in a shuffled order (so no test depends on samples being sorted).
std::vector<double> spread_samples(double center_us, double spread, size_t count);

// Each sample multiplied by `factor`: the same run, uniformly slower or faster.
std::vector<double> scaled(const std::vector<double>& samples, double factor);

// Writes the records as runs.jsonl (one per line, each ending in '\n') into `dir`.
void write_runs_jsonl(const std::filesystem::path& dir, const std::vector<nlohmann::json>& records);

}  // namespace slim::test
