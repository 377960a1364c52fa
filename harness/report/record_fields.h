// Typed, forgiving access to the fields of one runs.jsonl record.
//
// Records come from sweeps of different ages and from failed jobs, so any metric may be
// missing. Every accessor here answers "absent" (std::nullopt, "" or an empty list) rather
// than throwing, and the table and compare code decide what absence means for them.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slim {

// True when the job finished and its metrics can be trusted.
bool record_ok(const nlohmann::json& record);

std::string record_job_id(const nlohmann::json& record);

// Records of one group differ only by seed. A record without a group_id stands alone, so
// its job_id is used instead (never merge records we cannot prove belong together).
std::string record_group_id(const nlohmann::json& record);

// labels[key] as text ("" when absent); numeric labels such as the seed are printed.
std::string record_label(const nlohmann::json& record, std::string_view key);

// metrics[key] when it is a number.
std::optional<double> record_metric(const nlohmann::json& record, std::string_view key);

// One batch size's latency measurement.
struct LatencyEntry {
  long batch_size = 1;
  // Whether the run met both its minimum duration and its minimum count of timed runs.
  bool valid = true;
  std::optional<double> p50_us;
  std::optional<double> per_sample_us;
  std::vector<double> samples_us;
};

// metrics.latency, or, for records that only carry the batch-1 summary, metrics.latency_us
// as a batch-1 entry. Ordered as in the record.
std::vector<LatencyEntry> record_latencies(const nlohmann::json& record);

// The entry for `batch_size`, if the record has one.
std::optional<LatencyEntry> record_latency_at(const nlohmann::json& record, long batch_size);

}  // namespace slim
