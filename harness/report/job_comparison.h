// The comparison of one job's record in two result sets, and the rules that call a
// difference a regression. compare_results prints these; tests check the rules here.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/report/compare.h"
#include "harness/report/rank_test.h"

namespace slim {

// The fewest latency samples per side for the rank test to be used (google/benchmark's
// recommendation, see rank_test.h).
inline constexpr size_t kMinLatencySamples = 9;

struct LatencyComparison {
  long batch_size = 1;
  std::optional<double> median_change;  // median(current) / median(base) - 1
  std::optional<RankTestResult> test;   // when comparable
  std::string not_comparable_reason;    // empty when comparable
  bool regression = false;
};

struct JobComparison {
  std::string job_id;
  std::string description;  // labels, for people
  bool base_ok = false;
  bool current_ok = false;
  std::optional<double> accuracy_change;  // current - base, in accuracy fraction
  bool accuracy_regression = false;
  std::optional<double> size_change;  // current / base - 1
  bool size_regression = false;
  std::vector<LatencyComparison> latency;

  // A job that was fine in base and failed now.
  bool failed_regression() const { return base_ok && !current_ok; }
  bool latency_regression() const;
  bool regression() const;
  // What regressed, e.g. {"accuracy", "latency b=64"}.
  std::vector<std::string> regression_reasons() const;
};

JobComparison compare_job(const nlohmann::json& base, const nlohmann::json& current,
                          const CompareOptions& options);

// "lenet-5 int8-weight bits=8 openblas seed=0", skipping absent labels.
std::string describe_job(const nlohmann::json& record);

}  // namespace slim
