#include "harness/report/compare.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "harness/report/job_comparison.h"
#include "harness/report/number_format.h"
#include "harness/report/record_fields.h"
#include "harness/report/records.h"

namespace slim {
namespace {

using nlohmann::json;

// One result set: records by job_id, plus the order the jobs first appeared in.
struct ResultSet {
  std::filesystem::path file;
  std::map<std::string, json> by_job;
  std::vector<std::string> order;
};

ResultSet load(const std::filesystem::path& path, std::FILE* out) {
  ResultSet set;
  set.file = runs_file_for(path);
  bool dropped = false;
  for (json& record : read_run_records(path, &dropped)) {
    const std::string job = record_job_id(record);
    if (job.empty()) continue;  // nothing to match it by
    // A resumed sweep appends a job again; its latest record is the one that counts.
    if (!set.by_job.contains(job)) set.order.push_back(job);
    set.by_job[job] = std::move(record);
  }
  if (dropped) {
    fmt::print(out, "note: ignored the incomplete last line of {} (an interrupted append)\n",
               set.file.string());
  }
  return set;
}

// Width on a terminal: UTF-8 continuation bytes (10xxxxxx) take no column of their own.
size_t display_width(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string p_value_text(double p) {
  return p < 0.001 ? "p<0.001" : fmt::format("p={:.3f}", p);
}

std::string latency_text(const LatencyComparison& l) {
  const std::string change = l.median_change ? format_signed(*l.median_change * 100, 1) + "%" : "?";
  std::string text = fmt::format("b={} {}", l.batch_size, change);
  if (!l.not_comparable_reason.empty())
    return text + fmt::format(" (not comparable: {})", l.not_comparable_reason);
  return text + fmt::format(" ({})", p_value_text(l.test->p_value));
}

std::string latency_cell(const JobComparison& job) {
  if (job.latency.empty()) return "–";
  std::string text;
  for (const LatencyComparison& l : job.latency) {
    if (!text.empty()) text += "; ";
    text += latency_text(l);
  }
  return text;
}

std::string status_text(const JobComparison& job) {
  if (job.regression())
    return fmt::format("REGRESSION ({})", fmt::join(job.regression_reasons(), ", "));
  if (!job.base_ok && job.current_ok) return "fixed (failed in base)";
  if (!job.current_ok) return "failed in both";
  return "ok";
}

std::vector<std::string> row_for(const JobComparison& job) {
  const std::string accuracy =
      job.accuracy_change ? format_signed(*job.accuracy_change * 100, 2) : "–";
  const std::string size = job.size_change ? format_signed(*job.size_change * 100, 2) + "%" : "–";
  return {job.job_id, job.description, accuracy, size, latency_cell(job), status_text(job)};
}

void print_aligned(std::FILE* out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - display_width(row[i]) + 2, ' ');
    }
    fmt::print(out, "{}\n", line);
  }
}

void print_unmatched(std::FILE* out, const ResultSet& from, const ResultSet& other,
                     const char* where) {
  for (const std::string& job : from.order) {
    if (other.by_job.contains(job)) continue;
    fmt::print(out, "only in {}: {}  {}\n", where, job, describe_job(from.by_job.at(job)));
  }
}

struct Tally {
  size_t compared = 0, regressed = 0, accuracy = 0, size = 0, latency = 0, failed = 0,
         not_comparable = 0;
};

Tally tally(const std::vector<JobComparison>& jobs) {
  Tally t;
  for (const JobComparison& job : jobs) {
    ++t.compared;
    t.regressed += job.regression();
    t.accuracy += job.accuracy_regression;
    t.size += job.size_regression;
    t.latency += job.latency_regression();
    t.failed += job.failed_regression();
    for (const LatencyComparison& l : job.latency)
      t.not_comparable += !l.not_comparable_reason.empty();
  }
  return t;
}

void print_verdict(std::FILE* out, const Tally& t) {
  const std::string caveat =
      t.not_comparable == 0
          ? ""
          : fmt::format("; {} latency comparison(s) not comparable", t.not_comparable);
  if (t.regressed == 0) {
    fmt::print(out, "verdict: no regression in {} matched job(s){}\n", t.compared, caveat);
    return;
  }
  fmt::print(out,
             "verdict: REGRESSION in {} of {} matched job(s) (failed {}, accuracy {}, size {}, "
             "latency {}){}\n",
             t.regressed, t.compared, t.failed, t.accuracy, t.size, t.latency, caveat);
}

}  // namespace

int compare_results(const std::filesystem::path& base, const std::filesystem::path& current,
                    const CompareOptions& options, std::FILE* out) {
  const ResultSet base_set = load(base, out);
  const ResultSet current_set = load(current, out);

  std::vector<JobComparison> jobs;
  for (const std::string& job : current_set.order) {
    const auto base_record = base_set.by_job.find(job);
    if (base_record == base_set.by_job.end()) continue;
    jobs.push_back(compare_job(base_record->second, current_set.by_job.at(job), options));
  }
  if (jobs.empty()) {
    fail(
        "no job of {} ({} jobs) matches a job of {} ({} jobs) by job_id: were they run from "
        "different experiments?",
        current_set.file.string(), current_set.order.size(), base_set.file.string(),
        base_set.order.size());
  }

  std::vector<std::vector<std::string>> rows = {
      {"job", "configuration", "Δ top-1 (pt)", "size Δ", "latency p50 Δ (rank test)", "status"}};
  for (const JobComparison& job : jobs) rows.push_back(row_for(job));
  print_aligned(out, rows);
  print_unmatched(out, base_set, current_set, "base");
  print_unmatched(out, current_set, base_set, "current");

  const Tally t = tally(jobs);
  print_verdict(out, t);
  return t.regressed == 0 ? 0 : 1;
}

}  // namespace slim
