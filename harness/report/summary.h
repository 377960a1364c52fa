// Aggregating run records into one row per group (a configuration over its seeds).
//
// The numbers here are already in the units the tables show (percent, KiB, µs, µJ), so the
// Markdown, CSV and LaTeX renderers only format; none of them does arithmetic.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace slim {

// Mean and sample standard deviation (n - 1 in the denominator; 0 when n == 1).
struct Stat {
  double mean = 0;
  double stddev = 0;
  size_t n = 0;
};

// The Stat of `values`, or nullopt when there are none.
std::optional<Stat> stat_of(const std::vector<double>& values);

// A latency column: its statistic and whether any contributing measurement was invalid
// (missed its minimum time or run count), which the tables mark with a dagger.
struct LatencyStat {
  std::optional<Stat> value;
  bool any_invalid = false;
};

struct SummaryRow {
  std::string group_id;
  std::string model, pipeline, params, backend;
  size_t n_ok = 0;      // records that contributed numbers
  size_t n_failed = 0;  // records with any other status
  std::optional<Stat> top1_pct;
  std::optional<Stat> delta_top1_pt;
  std::optional<Stat> size_kib;
  std::optional<Stat> ratio;
  std::optional<Stat> macs;
  LatencyStat p50_b1_us;
  LatencyStat per_sample_large_batch_us;  // at SummaryTable::large_batch
  std::optional<Stat> energy_uj;
  std::string energy_source;  // metrics.energy_source of the first record that has one

  bool all_failed() const { return n_ok == 0; }
};

struct SummaryTable {
  std::vector<SummaryRow> rows;  // in the order their groups were first seen
  // The largest batch size any record measured; nullopt when only batch 1 (or none) was,
  // in which case the tables omit the per-sample column.
  std::optional<long> large_batch;
  std::vector<std::string> energy_sources;  // distinct, in order seen
  bool any_latency_invalid = false;
};

SummaryTable summarize_records(const std::vector<nlohmann::json>& records);

}  // namespace slim
