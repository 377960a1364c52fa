#include "harness/report/summary.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "harness/report/record_fields.h"

namespace slim {
namespace {

using nlohmann::json;

// Values gathered for one group before they become Stats.
struct GroupSamples {
  std::vector<double> top1_pct, delta_top1_pt, size_kib, ratio, macs, p50_b1_us,
      per_sample_large_us, energy_uj;
  bool p50_b1_invalid = false;
  bool per_sample_large_invalid = false;
};

void push_if(std::vector<double>& values, std::optional<double> value, double scale = 1.0) {
  if (value) values.push_back(*value * scale);
}

// accuracy_delta when the record has it, else derived from the two accuracies.
std::optional<double> accuracy_delta(const json& record) {
  if (auto delta = record_metric(record, "accuracy_delta")) return delta;
  const auto accuracy = record_metric(record, "accuracy");
  const auto baseline = record_metric(record, "baseline_accuracy");
  if (accuracy && baseline) return *accuracy - *baseline;
  return std::nullopt;
}

std::optional<long> largest_batch(const std::vector<json>& records) {
  long largest = 1;
  for (const json& record : records) {
    if (!record_ok(record)) continue;
    for (const LatencyEntry& entry : record_latencies(record)) {
      largest = std::max(largest, entry.batch_size);
    }
  }
  return largest > 1 ? std::optional<long>(largest) : std::nullopt;
}

void add_latency(GroupSamples& samples, const json& record, std::optional<long> large_batch) {
  if (const auto b1 = record_latency_at(record, 1); b1 && b1->p50_us) {
    samples.p50_b1_us.push_back(*b1->p50_us);
    samples.p50_b1_invalid |= !b1->valid;
  }
  if (!large_batch) return;
  if (const auto big = record_latency_at(record, *large_batch); big && big->per_sample_us) {
    samples.per_sample_large_us.push_back(*big->per_sample_us);
    samples.per_sample_large_invalid |= !big->valid;
  }
}

void add_record(GroupSamples& samples, const json& record, std::optional<long> large_batch) {
  push_if(samples.top1_pct, record_metric(record, "accuracy"), 100.0);
  push_if(samples.delta_top1_pt, accuracy_delta(record), 100.0);
  push_if(samples.size_kib, record_metric(record, "size_bytes"), 1.0 / 1024.0);
  push_if(samples.ratio, record_metric(record, "compression_ratio"));
  push_if(samples.macs, record_metric(record, "macs"));
  push_if(samples.energy_uj, record_metric(record, "energy_j"), 1e6);
  add_latency(samples, record, large_batch);
}

SummaryRow row_for(const json& first_record) {
  SummaryRow row;
  row.group_id = record_group_id(first_record);
  row.model = record_label(first_record, "model");
  row.pipeline = record_label(first_record, "pipeline");
  row.params = record_label(first_record, "params");
  row.backend = record_label(first_record, "backend");
  return row;
}

void finish_row(SummaryRow& row, const GroupSamples& samples) {
  row.top1_pct = stat_of(samples.top1_pct);
  row.delta_top1_pt = stat_of(samples.delta_top1_pt);
  row.size_kib = stat_of(samples.size_kib);
  row.ratio = stat_of(samples.ratio);
  row.macs = stat_of(samples.macs);
  row.energy_uj = stat_of(samples.energy_uj);
  row.p50_b1_us = {stat_of(samples.p50_b1_us), samples.p50_b1_invalid};
  row.per_sample_large_batch_us = {stat_of(samples.per_sample_large_us),
                                   samples.per_sample_large_invalid};
}

void note_energy_source(SummaryTable& table, SummaryRow& row, const json& record) {
  const auto metrics = record.find("metrics");
  if (metrics == record.end() || !metrics->is_object()) return;
  const auto source = metrics->find("energy_source");
  if (source == metrics->end() || !source->is_string()) return;
  const std::string name = source->get<std::string>();
  if (row.energy_source.empty()) row.energy_source = name;
  auto& known = table.energy_sources;
  if (std::find(known.begin(), known.end(), name) == known.end()) known.push_back(name);
}

}  // namespace

std::optional<Stat> stat_of(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  const double n = static_cast<double>(values.size());
  double sum = 0;
  for (const double value : values) sum += value;
  const double mean = sum / n;
  double squares = 0;
  for (const double value : values) squares += (value - mean) * (value - mean);
  const double stddev = values.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  return Stat{mean, stddev, values.size()};
}

SummaryTable summarize_records(const std::vector<json>& records) {
  SummaryTable table;
  table.large_batch = largest_batch(records);

  std::map<std::string, size_t> row_of_group;
  std::vector<GroupSamples> samples;
  for (const json& record : records) {
    const std::string group = record_group_id(record);
    auto [it, inserted] = row_of_group.try_emplace(group, table.rows.size());
    if (inserted) {
      table.rows.push_back(row_for(record));
      samples.emplace_back();
    }
    SummaryRow& row = table.rows[it->second];
    // Failed jobs have no trustworthy metrics (often none at all); they only count.
    if (!record_ok(record)) {
      ++row.n_failed;
      continue;
    }
    ++row.n_ok;
    add_record(samples[it->second], record, table.large_batch);
    note_energy_source(table, row, record);
  }

  for (size_t i = 0; i < table.rows.size(); ++i) {
    finish_row(table.rows[i], samples[i]);
    const SummaryRow& row = table.rows[i];
    table.any_latency_invalid |=
        row.p50_b1_us.any_invalid || row.per_sample_large_batch_us.any_invalid;
  }
  return table;
}

}  // namespace slim
