#include "harness/report/job_comparison.h"

#include <fmt/format.h>

#include <algorithm>

#include "harness/report/record_fields.h"

namespace slim {
namespace {

using nlohmann::json;

// Thresholds are compared with a little slack so that, e.g., a drop of exactly the
// allowed 0.005 is not a regression because 0.9137 - 0.9087 rounds to 0.00500000001.
constexpr double kSlack = 1e-12;

std::optional<double> median_of(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<long>(middle), values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<long>(middle));
  return (lower + upper) / 2;
}

// The median the comparison uses: of the raw samples when the record has them, else the
// record's own p50 (good for display, not for the test).
std::optional<double> median_latency(const LatencyEntry& entry) {
  if (auto median = median_of(entry.samples_us)) return median;
  return entry.p50_us;
}

// Why a pair of measurements must not be judged, or "" when it may. An invalid run (too
// short or too few timed runs) is dominated by warm-up, timer resolution and frequency
// changes; with fewer than 9 samples a side the rank test is underpowered and its normal
// approximation poor. Calling either a regression would make CI flaky, and calling it a
// pass would claim more than we know, so it is reported as "not comparable" instead.
std::string not_comparable_reason(const LatencyEntry& base, const LatencyEntry& current) {
  if (!base.valid || !current.valid) {
    return !base.valid ? "base run invalid" : "current run invalid";
  }
  const size_t fewest = std::min(base.samples_us.size(), current.samples_us.size());
  if (fewest < kMinLatencySamples) {
    return fmt::format("{} samples, need {}", fewest, kMinLatencySamples);
  }
  return "";
}

LatencyComparison compare_latency(const LatencyEntry& base, const LatencyEntry& current,
                                  const CompareOptions& options) {
  LatencyComparison result;
  result.batch_size = base.batch_size;
  const auto base_median = median_latency(base);
  const auto current_median = median_latency(current);
  if (base_median && current_median && *base_median > 0) {
    result.median_change = *current_median / *base_median - 1;
  }
  result.not_comparable_reason = not_comparable_reason(base, current);
  if (!result.not_comparable_reason.empty()) return result;

  result.test = mann_whitney_greater(base.samples_us, current.samples_us);
  // Both: significant (not chance) AND large enough to matter.
  result.regression = result.test->p_value < options.latency_alpha && result.median_change &&
                      *result.median_change > options.min_latency_slowdown + kSlack;
  return result;
}

std::vector<LatencyComparison> compare_latencies(const json& base, const json& current,
                                                 const CompareOptions& options) {
  std::vector<LatencyComparison> comparisons;
  for (const LatencyEntry& base_entry : record_latencies(base)) {
    const auto current_entry = record_latency_at(current, base_entry.batch_size);
    if (current_entry) comparisons.push_back(compare_latency(base_entry, *current_entry, options));
  }
  return comparisons;
}

void compare_accuracy(JobComparison& result, const json& base, const json& current,
                      const CompareOptions& options) {
  const auto base_accuracy = record_metric(base, "accuracy");
  const auto current_accuracy = record_metric(current, "accuracy");
  if (!base_accuracy || !current_accuracy) return;
  result.accuracy_change = *current_accuracy - *base_accuracy;
  result.accuracy_regression = -*result.accuracy_change > options.max_accuracy_drop + kSlack;
}

void compare_size(JobComparison& result, const json& base, const json& current,
                  const CompareOptions& options) {
  const auto base_size = record_metric(base, "size_bytes");
  const auto current_size = record_metric(current, "size_bytes");
  if (!base_size || !current_size || *base_size <= 0) return;
  result.size_change = *current_size / *base_size - 1;
  result.size_regression = *result.size_change > options.max_size_growth + kSlack;
}

}  // namespace

bool JobComparison::latency_regression() const {
  return std::any_of(latency.begin(), latency.end(),
                     [](const LatencyComparison& l) { return l.regression; });
}

bool JobComparison::regression() const {
  return failed_regression() || accuracy_regression || size_regression || latency_regression();
}

std::vector<std::string> JobComparison::regression_reasons() const {
  std::vector<std::string> reasons;
  if (failed_regression()) reasons.push_back("failed");
  if (accuracy_regression) reasons.push_back("accuracy");
  if (size_regression) reasons.push_back("size");
  for (const LatencyComparison& l : latency) {
    if (l.regression) reasons.push_back(fmt::format("latency b={}", l.batch_size));
  }
  return reasons;
}

std::string describe_job(const json& record) {
  std::string text;
  for (const char* key : {"model", "pipeline", "params", "backend"}) {
    const std::string value = record_label(record, key);
    if (value.empty()) continue;
    if (!text.empty()) text += ' ';
    text += value;
  }
  const std::string seed = record_label(record, "seed");
  if (seed.empty()) return text;
  if (!text.empty()) text += ' ';
  return text + "seed=" + seed;
}

JobComparison compare_job(const json& base, const json& current, const CompareOptions& options) {
  JobComparison result;
  result.job_id = record_job_id(current);
  result.description = describe_job(current);
  result.base_ok = record_ok(base);
  result.current_ok = record_ok(current);
  // Metrics of a failed job mean nothing; its failure is the whole story.
  if (!result.base_ok || !result.current_ok) return result;
  compare_accuracy(result, base, current, options);
  compare_size(result, base, current, options);
  if (options.check_latency) result.latency = compare_latencies(base, current, options);
  return result;
}

}  // namespace slim
