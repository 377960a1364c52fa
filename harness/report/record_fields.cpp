#include "harness/report/record_fields.h"

#include <cmath>

namespace slim {
namespace {

using nlohmann::json;

// record[a][b]..., or nullptr when any step is missing or not an object.
const json* find_path(const json& root, std::initializer_list<std::string_view> keys) {
  const json* node = &root;
  for (const std::string_view key : keys) {
    if (!node->is_object()) return nullptr;
    const auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

std::optional<double> number_at(const json& object, std::string_view key) {
  const json* value = find_path(object, {key});
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return value->get<double>();
}

std::string string_at(const json& object, std::string_view key) {
  const json* value = find_path(object, {key});
  if (value == nullptr || !value->is_string()) return "";
  return value->get<std::string>();
}

// An entry is valid unless it says otherwise: older records have no validity fields, and
// their latency was produced by the same measurement loop.
bool entry_valid(const json& entry) {
  if (const json* valid = find_path(entry, {"valid"}); valid != nullptr && valid->is_boolean()) {
    return valid->get<bool>();
  }
  for (const std::string_view key : {"min_time_met", "min_runs_met"}) {
    const json* met = find_path(entry, {key});
    if (met != nullptr && met->is_boolean() && !met->get<bool>()) return false;
  }
  return true;
}

std::vector<double> numbers_in(const json* array) {
  std::vector<double> numbers;
  if (array == nullptr || !array->is_array()) return numbers;
  for (const json& value : *array) {
    if (value.is_number()) numbers.push_back(value.get<double>());
  }
  return numbers;
}

std::optional<double> p50_of(const json* summary) {
  if (summary == nullptr) return std::nullopt;
  return number_at(*summary, "p50");
}

LatencyEntry entry_from(const json& entry) {
  LatencyEntry result;
  if (const auto batch = number_at(entry, "batch_size")) result.batch_size = std::lround(*batch);
  result.valid = entry_valid(entry);
  result.p50_us = p50_of(find_path(entry, {"latency_us"}));
  result.per_sample_us = number_at(entry, "per_sample_us");
  // Derive the per-sample time when the record only has the whole-batch median.
  if (!result.per_sample_us && result.p50_us && result.batch_size > 0) {
    result.per_sample_us = *result.p50_us / static_cast<double>(result.batch_size);
  }
  result.samples_us = numbers_in(find_path(entry, {"samples_us"}));
  return result;
}

}  // namespace

bool record_ok(const json& record) {
  return string_at(record, "status") == "ok";
}

std::string record_job_id(const json& record) {
  return string_at(record, "job_id");
}

std::string record_group_id(const json& record) {
  std::string group = string_at(record, "group_id");
  return group.empty() ? "job:" + record_job_id(record) : group;
}

std::string record_label(const json& record, std::string_view key) {
  const json* value = find_path(record, {"labels", key});
  if (value == nullptr || value->is_null()) return "";
  if (value->is_string()) return value->get<std::string>();
  return value->dump();
}

std::optional<double> record_metric(const json& record, std::string_view key) {
  const json* metrics = find_path(record, {"metrics"});
  if (metrics == nullptr) return std::nullopt;
  return number_at(*metrics, key);
}

std::vector<LatencyEntry> record_latencies(const json& record) {
  std::vector<LatencyEntry> entries;
  const json* latency = find_path(record, {"metrics", "latency"});
  if (latency != nullptr && latency->is_array()) {
    for (const json& entry : *latency) {
      if (entry.is_object()) entries.push_back(entry_from(entry));
    }
    return entries;
  }
  if (const auto p50 = p50_of(find_path(record, {"metrics", "latency_us"}))) {
    LatencyEntry batch_one;
    batch_one.p50_us = p50;
    batch_one.per_sample_us = p50;
    entries.push_back(batch_one);
  }
  return entries;
}

std::optional<LatencyEntry> record_latency_at(const json& record, long batch_size) {
  for (LatencyEntry& entry : record_latencies(record)) {
    if (entry.batch_size == batch_size) return std::move(entry);
  }
  return std::nullopt;
}

}  // namespace slim
