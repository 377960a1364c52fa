#include <fmt/format.h>

#include "harness/report/table.h"
#include "harness/report/text_escape.h"

namespace slim {
namespace {

// RFC 4180 ends records with CRLF.
constexpr const char* kLineEnd = "\r\n";

std::string csv_line(const std::vector<std::string>& fields) {
  std::string line;
  for (const std::string& field : fields) {
    if (&field != &fields.front()) line += ',';
    line += csv_field(field);
  }
  return line + kLineEnd;
}

// Shortest text that reads back as the same double: no precision lost to the CSV.
std::string number_text(double value) {
  return fmt::format("{}", value);
}

void add_stat(std::vector<std::string>& fields, const std::optional<Stat>& stat) {
  fields.push_back(stat ? number_text(stat->mean) : "");
  fields.push_back(stat && stat->n > 1 ? number_text(stat->stddev) : "");
}

void add_latency(std::vector<std::string>& fields, const LatencyStat& latency) {
  add_stat(fields, latency.value);
  fields.push_back(latency.value ? (latency.any_invalid ? "false" : "true") : "");
}

void add_stat_names(std::vector<std::string>& names, const std::string& base) {
  names.push_back(base + "_mean");
  names.push_back(base + "_std");
}

std::string status_of(const SummaryRow& row) {
  if (row.n_failed == 0) return "ok";
  return row.n_ok == 0 ? "failed" : "partial";
}

std::vector<std::string> header(const SummaryTable& table) {
  std::vector<std::string> names = {"group_id", "model",  "pipeline", "params",
                                    "backend",  "status", "n",        "n_failed"};
  for (const char* base : {"top1_pct", "delta_top1_pt", "size_kib", "ratio", "macs"}) {
    add_stat_names(names, base);
  }
  add_stat_names(names, "p50_b1_us");
  names.push_back("p50_b1_valid");
  if (table.large_batch) {
    const std::string base = fmt::format("per_sample_b{}_us", *table.large_batch);
    add_stat_names(names, base);
    names.push_back(fmt::format("per_sample_b{}_valid", *table.large_batch));
  }
  add_stat_names(names, "energy_uj");
  names.push_back("energy_source");
  return names;
}

std::vector<std::string> fields_of(const SummaryRow& row, bool with_large_batch) {
  std::vector<std::string> fields = {row.group_id,
                                     row.model,
                                     row.pipeline,
                                     row.params,
                                     row.backend,
                                     status_of(row),
                                     fmt::format("{}", row.n_ok),
                                     fmt::format("{}", row.n_failed)};
  for (const auto* stat :
       {&row.top1_pct, &row.delta_top1_pt, &row.size_kib, &row.ratio, &row.macs}) {
    add_stat(fields, *stat);
  }
  add_latency(fields, row.p50_b1_us);
  if (with_large_batch) add_latency(fields, row.per_sample_large_batch_us);
  add_stat(fields, row.energy_uj);
  fields.push_back(row.energy_source);
  return fields;
}

}  // namespace

std::string table_csv(const SummaryTable& table) {
  std::string text = csv_line(header(table));
  for (const SummaryRow& row : table.rows) {
    text += csv_line(fields_of(row, table.large_batch.has_value()));
  }
  return text;
}

}  // namespace slim
