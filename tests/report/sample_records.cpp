#include "tests/report/sample_records.h"

#include <algorithm>

#include "tests/io/temp_dir.h"

namespace slim::test {

using nlohmann::json;

json sample_record(const std::string& job_id, const std::string& group_id, int seed,
                   double accuracy) {
  return {{"schema", "slimbench-run-1"},
          {"job_id", job_id},
          {"group_id", group_id},
          {"status", "ok"},
          {"sweep", "quickstart"},
          {"labels",
           {{"model", "lenet-5"},
            {"dataset", "fashion-mnist"},
            {"pipeline", "int8-weight"},
            {"params", "bits=8"},
            {"backend", "openblas"},
            {"seed", seed}}},
          {"config", json::object()},
          {"metrics",
           {{"accuracy", accuracy},
            {"baseline_accuracy", 0.92},
            {"accuracy_delta", accuracy - 0.92},
            {"size_bytes", 61890},
            {"baseline_size_bytes", 247000},
            {"compression_ratio", 3.99},
            {"parameters", 61706},
            {"macs", 416520},
            {"energy_j", 1.2e-6},
            {"energy_source", "model-horowitz45"}}},
          {"error", nullptr}};
}

json failed_record(const std::string& job_id, const std::string& group_id, int seed) {
  json record = sample_record(job_id, group_id, seed, 0);
  record["status"] = "failed";
  record["metrics"] = json::object();
  record["error"] = "out of memory";
  return record;
}

json latency_entry(long batch_size, const std::vector<double>& samples_us, bool valid) {
  std::vector<double> sorted = samples_us;
  std::sort(sorted.begin(), sorted.end());
  const double p50 = sorted[sorted.size() / 2];
  return {{"batch_size", batch_size},
          {"runs", samples_us.size()},
          {"min_time_met", valid},
          {"min_runs_met", true},
          {"valid", valid},
          {"latency_us", {{"p50", p50}, {"min", sorted.front()}, {"max", sorted.back()}}},
          {"samples_us", samples_us},
          {"per_sample_us", p50 / static_cast<double>(batch_size)}};
}

std::vector<double> spread_samples(double center_us, double spread, size_t count) {
  std::vector<double> samples;
  for (size_t i = 0; i < count; ++i) {
    // Stride 7 through the positions (count is never a multiple of 7 here) shuffles them.
    const size_t position = (i * 7) % count;
    const double fraction =
        count > 1 ? static_cast<double>(position) / static_cast<double>(count - 1) : 0.5;
    samples.push_back(center_us * (1 - spread + 2 * spread * fraction));
  }
  return samples;
}

std::vector<double> scaled(const std::vector<double>& samples, double factor) {
  std::vector<double> result;
  for (const double sample : samples) result.push_back(sample * factor);
  return result;
}

void write_runs_jsonl(const std::filesystem::path& dir, const std::vector<json>& records) {
  std::string text;
  for (const json& record : records) text += record.dump() + "\n";
  write_file_bytes(dir / "runs.jsonl", text);
}

}  // namespace slim::test
