// compare_results on pairs of result sets that differ in one known way each.
#include "harness/report/compare.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "core/error.h"
#include "harness/report/job_comparison.h"
#include "tests/io/temp_dir.h"
#include "tests/report/sample_records.h"

namespace slim {
namespace {

using nlohmann::json;

// Two jobs with 64 latency samples each at batch 1 and batch 16, all valid.
std::vector<json> base_records() {
  std::vector<json> records;
  for (int seed = 0; seed < 2; ++seed) {
    json record = test::sample_record(fmt::format("job{}", seed), "g", seed, 0.91);
    record["metrics"]["latency"] = {test::latency_entry(1, test::spread_samples(100.0, 0.1, 64)),
                                    test::latency_entry(16, test::spread_samples(900.0, 0.1, 64))};
    records.push_back(record);
  }
  return records;
}

// Runs compare_results on the two record sets and returns its exit code and its output.
struct CompareRun {
  int code = -1;
  std::string output;
};

CompareRun run_compare(const std::vector<json>& base, const std::vector<json>& current,
                       const CompareOptions& options = {}) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "base");
  std::filesystem::create_directories(dir / "current");
  test::write_runs_jsonl(dir / "base", base);
  test::write_runs_jsonl(dir / "current", current);
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  CompareRun run;
  run.code = compare_results(dir / "base", dir / "current" / "runs.jsonl", options, out);
  std::rewind(out);
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, out)) > 0) run.output.append(buffer, n);
  std::fclose(out);
  return run;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("compare: identical result sets have no regression") {
  const CompareRun run = run_compare(base_records(), base_records());
  INFO(run.output);
  REQUIRE(run.code == 0);
  REQUIRE(contains(run.output, "verdict: no regression in 2 matched job(s)"));
  REQUIRE(contains(run.output, "b=1 +0.0% (p=0.5"));
}

TEST_CASE("compare: an accuracy drop beyond the allowance is a regression") {
  std::vector<json> current = base_records();
  current[1]["metrics"]["accuracy"] = 0.91 - 0.006;
  const CompareRun run = run_compare(base_records(), current);
  INFO(run.output);
  REQUIRE(run.code == 1);
  REQUIRE(contains(run.output, "-0.60"));
  REQUIRE(contains(run.output, "REGRESSION (accuracy)"));
  REQUIRE(contains(run.output, "verdict: REGRESSION in 1 of 2 matched job(s)"));

  // Exactly the allowed drop (0.5 points) is not a regression.
  current[1]["metrics"]["accuracy"] = 0.91 - 0.005;
  REQUIRE(run_compare(base_records(), current).code == 0);
}

TEST_CASE("compare: any size growth is a regression by default") {
  std::vector<json> current = base_records();
  current[0]["metrics"]["size_bytes"] = 61891;
  const CompareRun run = run_compare(base_records(), current);
  INFO(run.output);
  REQUIRE(run.code == 1);
  REQUIRE(contains(run.output, "REGRESSION (size)"));

  CompareOptions lenient;
  lenient.max_size_growth = 0.01;
  REQUIRE(run_compare(base_records(), current, lenient).code == 0);
}

TEST_CASE("compare: latency samples 30 percent slower are a regression") {
  std::vector<json> current = base_records();
  const auto slower = test::scaled(test::spread_samples(900.0, 0.1, 64), 1.3);
  current[0]["metrics"]["latency"][1] = test::latency_entry(16, slower);
  const CompareRun run = run_compare(base_records(), current);
  INFO(run.output);
  REQUIRE(run.code == 1);
  REQUIRE(contains(run.output, "b=16 +30.0% (p<0.001)"));
  REQUIRE(contains(run.output, "REGRESSION (latency b=16)"));

  CompareOptions no_latency;
  no_latency.check_latency = false;
  REQUIRE(run_compare(base_records(), current, no_latency).code == 0);
}

TEST_CASE("compare: a significant but tiny slowdown is noise and not a regression") {
  std::vector<json> current = base_records();
  // 2% slower everywhere: the rank test finds it with 64 samples, but it is under 5%.
  current[0]["metrics"]["latency"][0] =
      test::latency_entry(1, test::scaled(test::spread_samples(100.0, 0.1, 64), 1.02));
  const JobComparison job = compare_job(base_records()[0], current[0], CompareOptions{});
  CAPTURE(job.latency[0].test->p_value, *job.latency[0].median_change);
  REQUIRE(job.latency[0].test->p_value < 0.05);
  REQUIRE(*job.latency[0].median_change == Approx(0.02));
  REQUIRE_FALSE(job.regression());
  REQUIRE(run_compare(base_records(), current).code == 0);
}

TEST_CASE("compare: a noise-level shift is not significant") {
  json current = base_records()[0];
  // 0.5% slower under +-10% jitter: far inside the noise, the rank test must not fire.
  current["metrics"]["latency"][0] =
      test::latency_entry(1, test::scaled(test::spread_samples(100.0, 0.1, 64), 1.005));
  const JobComparison job = compare_job(base_records()[0], current, CompareOptions{});
  CAPTURE(job.latency[0].test->p_value, *job.latency[0].median_change);
  REQUIRE(job.latency[0].test->p_value > 0.05);
  REQUIRE_FALSE(job.regression());
}

TEST_CASE("compare: invalid runs and too few samples are not comparable") {
  std::vector<json> current = base_records();
  const auto slower = test::scaled(test::spread_samples(100.0, 0.1, 64), 1.5);
  current[0]["metrics"]["latency"][0] = test::latency_entry(1, slower, /*valid=*/false);
  current[1]["metrics"]["latency"][0] =
      test::latency_entry(1, test::scaled(test::spread_samples(100.0, 0.1, 8), 1.5));
  const CompareRun run = run_compare(base_records(), current);
  INFO(run.output);
  REQUIRE(run.code == 0);
  REQUIRE(contains(run.output, "b=1 +50.0% (not comparable: current run invalid)"));
  REQUIRE(contains(run.output, "(not comparable: 8 samples, need 9)"));
  REQUIRE(contains(run.output, "2 latency comparison(s) not comparable"));
}

TEST_CASE("compare: a job failing now that passed in base is a regression") {
  std::vector<json> current = base_records();
  current[1] = test::failed_record("job1", "g", 1);
  const CompareRun run = run_compare(base_records(), current);
  INFO(run.output);
  REQUIRE(run.code == 1);
  REQUIRE(contains(run.output, "REGRESSION (failed)"));
  // The other way round is a fix, not a regression.
  REQUIRE(run_compare(current, base_records()).code == 0);
}

TEST_CASE("compare: unmatched jobs are listed and are not a failure") {
  std::vector<json> current = base_records();
  current[1]["job_id"] = "job9";
  const CompareRun run = run_compare(base_records(), current);
  INFO(run.output);
  REQUIRE(run.code == 0);
  REQUIRE(contains(run.output, "only in base: job1"));
  REQUIRE(contains(run.output, "only in current: job9"));
  REQUIRE(contains(run.output, "no regression in 1 matched job(s)"));
}

TEST_CASE("compare: no job in common is a UserError") {
  std::vector<json> current = base_records();
  current[0]["job_id"] = "other0";
  current[1]["job_id"] = "other1";
  REQUIRE_THROWS_AS(run_compare(base_records(), current), UserError);
  REQUIRE_THROWS_WITH(run_compare(base_records(), current), Catch::Contains("no job of"));
}

}  // namespace
}  // namespace slim
