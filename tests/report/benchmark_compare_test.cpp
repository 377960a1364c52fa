// bench-compare on constructed repetition sets and Google Benchmark JSON documents.
//
// Expected p-values are computed by hand from the normal approximation that rank_test.h
// documents: z = (U - n1*n2/2 - 0.5) / sqrt(var), p = P(Z >= z), with
// var = n1*n2/12 * ((n + 1) - sum(t^3 - t) / (n * (n - 1))) over tied groups of size t.
#include "harness/report/benchmark_compare.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "harness/report/benchmark_json.h"
#include "tests/io/temp_dir.h"

namespace slim {
namespace {

using nlohmann::json;

// P(Z >= z) for a standard normal Z.
double upper_tail(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// Ten timings around 100 with up to 3% noise, in no particular order.
std::vector<double> noisy_base() {
  const std::vector<double> noise = {-1.0, 0.5, -0.3, 0.8, 0.0, -0.6, 0.2, 1.0, -0.9, 0.4};
  std::vector<double> times;
  for (const double n : noise) times.push_back(100.0 * (1 + 0.03 * n));
  return times;
}

// Every value times `factor`, in reverse order (so no value is paired with itself).
std::vector<double> scaled_reversed(const std::vector<double>& values, double factor) {
  std::vector<double> scaled(values.rbegin(), values.rend());
  for (double& value : scaled) value *= factor;
  return scaled;
}

BenchmarkComparison compare(const std::vector<double>& base, const std::vector<double>& current,
                            const BenchCompareOptions& options = {}) {
  const BenchmarkComparison c = compare_benchmark("bm", base, current, options);
  CAPTURE(c.n_base, c.n_current, c.median_base_ns, c.median_current_ns, c.change, c.p_slower,
          c.p_faster);
  return c;
}

TEST_CASE("bench compare: a 20% slowdown with 3% noise is flagged at the hand-computed p") {
  const std::vector<double> base = noisy_base();
  const BenchmarkComparison c = compare(base, scaled_reversed(base, 1.2));
  // No overlap: U = 10 * 10 = 100, mean 50, var = 100 / 12 * 21 = 175.
  const double expected_p = upper_tail((100 - 50 - 0.5) / std::sqrt(175.0));  // 9.13e-5
  CAPTURE(expected_p);
  REQUIRE(c.change == Approx(0.2));
  REQUIRE(c.p_slower == Approx(expected_p).epsilon(1e-9));
  REQUIRE(c.p_slower == Approx(9.13358955547752e-05).epsilon(1e-6));
  REQUIRE(c.p_faster == Approx(upper_tail((0 - 50 - 0.5) / std::sqrt(175.0))).epsilon(1e-9));
  REQUIRE(c.verdict == BenchVerdict::kRegression);
  REQUIRE_FALSE(c.too_few_repetitions());
}

TEST_CASE("bench compare: a 20% speedup is an improvement, not a regression") {
  const std::vector<double> base = noisy_base();
  const BenchmarkComparison c = compare(base, scaled_reversed(base, 1 / 1.2));
  REQUIRE(c.change == Approx(1 / 1.2 - 1));
  REQUIRE(c.p_faster == Approx(9.13358955547752e-05).epsilon(1e-6));
  REQUIRE(c.verdict == BenchVerdict::kImprovement);
}

TEST_CASE("bench compare: identical distributions are not flagged") {
  const std::vector<double> base = noisy_base();
  SECTION("the same ten values, reordered") {
    // Ten tied pairs: U = 50, var = 100 / 12 * (21 - 10 * 6 / (20 * 19)) = 173.684.
    const BenchmarkComparison c = compare(base, scaled_reversed(base, 1.0));
    const double expected_p = upper_tail(-0.5 / std::sqrt(100.0 / 12 * (21 - 60.0 / 380)));
    CAPTURE(expected_p);
    REQUIRE(c.change == Approx(0.0).margin(1e-12));
    REQUIRE(c.p_slower == Approx(expected_p).epsilon(1e-9));
    REQUIRE(c.p_slower == Approx(0.5151319787899796).epsilon(1e-6));
    REQUIRE(c.verdict == BenchVerdict::kSame);
  }
  SECTION("interleaved samples of one distribution") {
    // base 100, 102, ..., 118 and current 101, 103, ..., 119: current value j beats j + 1
    // base values, U = 1 + 2 + ... + 10 = 55, z = (55 - 50 - 0.5) / sqrt(175).
    std::vector<double> even, odd;
    for (int i = 0; i < 10; ++i) {
      even.push_back(100 + 2 * i);
      odd.push_back(101 + 2 * i);
    }
    const BenchmarkComparison c = compare(even, odd);
    REQUIRE(c.p_slower == Approx(0.36686499784812365).epsilon(1e-6));
    REQUIRE(c.change == Approx(110.0 / 109.0 - 1));
    REQUIRE(c.verdict == BenchVerdict::kSame);
  }
}

TEST_CASE("bench compare: a significant change smaller than --min-change is not flagged") {
  const std::vector<double> base = noisy_base();
  const std::vector<double> current = scaled_reversed(base, 1.03);
  // 3% slower under 3% noise: the two sets barely overlap, so the rank test alone would
  // call it significant.
  BenchCompareOptions options;
  const BenchmarkComparison c = compare(base, current, options);
  REQUIRE(c.change == Approx(0.03));
  REQUIRE(c.p_slower < 0.05);
  REQUIRE(c.verdict == BenchVerdict::kSame);
  options.min_change = 0.02;
  REQUIRE(compare(base, current, options).verdict == BenchVerdict::kRegression);
  // And a stricter alpha than the test reaches also keeps it quiet.
  options.alpha = c.p_slower / 2;
  REQUIRE(compare(base, current, options).verdict == BenchVerdict::kSame);
}

TEST_CASE("bench compare: fewer than 9 repetitions a side is marked") {
  const std::vector<double> base = {100, 101, 99, 102, 98};
  const std::vector<double> current = {120, 121, 119, 122, 118};
  const BenchmarkComparison c = compare(base, current);
  // No overlap at 5 + 5: U = 25, mean 12.5, var = 25 / 12 * 11.
  REQUIRE(c.p_slower == Approx(upper_tail(12.0 / std::sqrt(25.0 / 12 * 11))).epsilon(1e-9));
  REQUIRE(c.p_slower == Approx(0.006092890177672409).epsilon(1e-6));
  REQUIRE(c.too_few_repetitions());
  // One repetition each can never be significant: p = 0.5.
  const BenchmarkComparison single = compare({100}, {200});
  REQUIRE(single.p_slower == Approx(0.5));
  REQUIRE(single.verdict == BenchVerdict::kSame);
}

// A Google Benchmark JSON document: each benchmark's repetitions in `unit`, then its
// aggregates (whose times are deliberately absurd, so counting them would show).
json benchmark_document(const std::vector<std::pair<std::string, std::vector<double>>>& runs,
                        const std::string& unit = "us", const std::string& cpu = "Test CPU") {
  json document = {{"context",
                    {{"host_name", "box"},
                     {"num_cpus", 2},
                     {"cpu_model", cpu},
                     {"openblas_core", "Zen"},
                     {"threads", "1"},
                     {"caches", json::array()}}},
                   {"benchmarks", json::array()}};
  for (const auto& [name, times] : runs) {
    for (size_t i = 0; i < times.size(); ++i) {
      document["benchmarks"].push_back({{"name", name},
                                        {"run_name", name},
                                        {"run_type", "iteration"},
                                        {"repetition_index", i},
                                        {"iterations", 1000},
                                        {"real_time", times[i]},
                                        {"cpu_time", times[i]},
                                        {"time_unit", unit}});
    }
    for (const char* aggregate : {"mean", "median", "stddev"}) {
      document["benchmarks"].push_back({{"name", name + "_" + aggregate},
                                        {"run_name", name},
                                        {"run_type", "aggregate"},
                                        {"aggregate_name", aggregate},
                                        {"real_time", 1e9},
                                        {"cpu_time", 1e9},
                                        {"time_unit", unit}});
    }
  }
  return document;
}

std::string error_of(const json& document) {
  try {
    parse_benchmark_json(document, "f.json");
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_CASE("bench compare: aggregates are ignored and times are converted to ns") {
  const BenchmarkFile file =
      parse_benchmark_json(benchmark_document({{"a", {1.5, 2.0, 2.5}}, {"b", {7}}}), "f.json");
  REQUIRE(file.benchmarks.size() == 2);
  REQUIRE(file.aggregates_ignored == 6);
  REQUIRE(file.benchmarks[0].name == "a");
  REQUIRE(file.benchmarks[0].real_time_ns == std::vector<double>{1500, 2000, 2500});
  REQUIRE(file.benchmarks[1].real_time_ns == std::vector<double>{7000});
  REQUIRE(file.context.at("cpu_model") == "Test CPU");
  REQUIRE(file.context.at("num_cpus") == "2");
  REQUIRE_FALSE(file.context.contains("caches"));
}

TEST_CASE("bench compare: files that are not Google Benchmark JSON name file and pointer") {
  const std::string not_benchmarks = error_of(json{{"job_id", "x"}});
  CAPTURE(not_benchmarks);
  REQUIRE_THAT(not_benchmarks, Catch::StartsWith("f.json: /benchmarks: expected the list"));

  json wrong_type = benchmark_document({{"a", {1, 2}}});
  wrong_type["benchmarks"][1]["real_time"] = "fast";
  const std::string bad_time = error_of(wrong_type);
  CAPTURE(bad_time);
  REQUIRE(bad_time == "f.json: /benchmarks/1/real_time: expected a number, got a string");

  json bad_unit = benchmark_document({{"a", {1}}});
  bad_unit["benchmarks"][0]["time_unit"] = "fortnights";
  REQUIRE_THAT(error_of(bad_unit),
               Catch::StartsWith("f.json: /benchmarks/0/time_unit: unknown time unit"));

  json aggregates_only = benchmark_document({{"a", {1, 2}}});
  aggregates_only["benchmarks"].erase(0);
  aggregates_only["benchmarks"].erase(0);
  const std::string only_aggregates = error_of(aggregates_only);
  CAPTURE(only_aggregates);
  REQUIRE_THAT(only_aggregates, Catch::Contains("--benchmark_report_aggregates_only"));
}

struct CompareRun {
  int code = -1;
  std::string output;
};

CompareRun run_compare(const json& base, const json& current,
                       const BenchCompareOptions& options = {}) {
  test::TempDir dir;
  test::write_file_bytes(dir / "base.json", base.dump());
  test::write_file_bytes(dir / "current.json", current.dump());
  // Closed on every path: bad input throws out of run_bench_compare.
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::tmpfile(), std::fclose);
  REQUIRE(out != nullptr);
  CompareRun run;
  run.code = run_bench_compare(dir / "base.json", dir / "current.json", options, out.get());
  std::rewind(out.get());
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, out.get())) > 0) run.output.append(buffer, n);
  return run;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("bench compare: files with a regression exit 1 and print the table") {
  const std::vector<double> base = noisy_base();
  const json base_doc = benchmark_document({{"slow", base}, {"steady", base}, {"gone", base}});
  // The current file is in ms: 0.12 ms is 1.2x 100 us.
  std::vector<double> slow_ms = scaled_reversed(base, 1.2e-3);
  std::vector<double> steady_ms = scaled_reversed(base, 1e-3);
  const json current_doc =
      benchmark_document({{"slow", slow_ms}, {"steady", steady_ms}, {"new", base}}, "ms");
  const CompareRun run = run_compare(base_doc, current_doc);
  CAPTURE(run.output);
  REQUIRE(run.code == 1);
  REQUIRE(contains(run.output, "+20.0%"));
  REQUIRE(contains(run.output, "REGRESSION"));
  REQUIRE(contains(run.output, "only in base: gone"));
  REQUIRE(contains(run.output, "only in current: new"));
  REQUIRE(contains(run.output, "verdict: REGRESSION in 1 of 2 matched benchmark(s)"));
  REQUIRE_FALSE(contains(run.output, "warning"));

  BenchCompareOptions steady_only;
  steady_only.filter = "^ste";
  const CompareRun filtered = run_compare(base_doc, current_doc, steady_only);
  CAPTURE(filtered.output);
  REQUIRE(filtered.code == 0);
  REQUIRE(contains(filtered.output, "verdict: no regression in 1 matched benchmark(s)"));
}

TEST_CASE("bench compare: few repetitions and different machines are warned about") {
  const json base_doc = benchmark_document({{"a", {100, 101, 99}}});
  const json current_doc = benchmark_document({{"a", {100, 102, 98}}}, "us", "Other CPU");
  const CompareRun run = run_compare(base_doc, current_doc);
  CAPTURE(run.output);
  REQUIRE(run.code == 0);
  REQUIRE(contains(run.output,
                   "warning: base: 1 benchmark(s) have fewer than 9 repetitions (fewest: 3)"));
  REQUIRE(contains(run.output, "warning: current: 1 benchmark(s) have fewer than 9"));
  REQUIRE(contains(run.output, "cpu_model: 'Test CPU' (base) vs 'Other CPU' (current)"));
}

TEST_CASE("bench compare: a benchmark failing only in current is a regression") {
  const std::vector<double> base = noisy_base();
  json current_doc = benchmark_document({{"a", base}});
  for (json& entry : current_doc["benchmarks"]) {
    entry["error_occurred"] = true;
    entry["error_message"] = "kernel unavailable";
  }
  const CompareRun run = run_compare(benchmark_document({{"a", base}}), current_doc);
  CAPTURE(run.output);
  REQUIRE(run.code == 1);
  REQUIRE(contains(run.output, "failed in current: a: kernel unavailable"));
}

TEST_CASE("bench compare: nothing in common, a bad filter or a missing file is bad input") {
  const json a = benchmark_document({{"a", {1, 2}}});
  const json b = benchmark_document({{"b", {1, 2}}});
  REQUIRE_THROWS_WITH(run_compare(a, b), Catch::Contains("no benchmark of"));
  BenchCompareOptions bad_filter;
  bad_filter.filter = "(";
  REQUIRE_THROWS_WITH(run_compare(a, a, bad_filter), Catch::Contains("not a valid regular"));
  REQUIRE_THROWS_WITH(read_benchmark_json("/nonexistent/bench.json"),
                      Catch::StartsWith("cannot read /nonexistent/bench.json"));
  test::TempDir dir;
  test::write_file_bytes(dir / "torn.json", "{\"benchmarks\": [");
  REQUIRE_THROWS_WITH(read_benchmark_json(dir / "torn.json"),
                      Catch::StartsWith((dir / "torn.json").string() + ": not valid JSON"));
}

}  // namespace
}  // namespace slim
