// slimbench bench-compare BASELINE.json CURRENT.json: exits 1 when a benchmark regressed.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "harness/report/benchmark_compare.h"

namespace slim::cli {

Command add_bench_compare_command(CLI::App& app) {
  struct Flags {
    std::string base, current;
    BenchCompareOptions options;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* sub = app.add_subcommand(
      "bench-compare",
      "compare two Google Benchmark JSON files repetition by repetition (Mann-Whitney U), exit "
      "1 on a regression");
  sub->add_option("base", flags->base, "baseline JSON (--benchmark_out, with repetitions)")
      ->required();
  sub->add_option("current", flags->current, "current JSON, from the same machine and build")
      ->required();
  sub->add_option("--alpha", flags->options.alpha, "significance level of the one-sided rank test")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--min-change", flags->options.min_change,
                  "a significant change must also move the median by more than this fraction")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--filter", flags->options.filter,
                  "compare only benchmarks whose name matches this regular expression");
  return [flags] { return run_bench_compare(flags->base, flags->current, flags->options, stdout); };
}

}  // namespace slim::cli
