// slimbench compare BASE CURRENT: exits 1 when CURRENT regresses against BASE.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "harness/report/compare.h"

namespace slim::cli {

Command add_compare_command(CLI::App& app) {
  struct Flags {
    std::string base, current;
    CompareOptions options;
    bool skip_latency = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* sub = app.add_subcommand(
      "compare", "match two runs' jobs by ID, print the deltas, exit 1 on a regression");
  sub->add_option("base", flags->base, "baseline run directory or runs.jsonl")->required();
  sub->add_option("current", flags->current, "current run directory or runs.jsonl")->required();
  sub->add_option("--max-accuracy-drop", flags->options.max_accuracy_drop,
                  "largest tolerated top-1 drop, as a fraction (0.005 = 0.5 points)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--max-size-growth", flags->options.max_size_growth,
                  "largest tolerated relative size growth (0 = any growth fails)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--latency-alpha", flags->options.latency_alpha,
                  "significance level of the Mann-Whitney U test on latency samples")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--min-latency-slowdown", flags->options.min_latency_slowdown,
                  "a significant slowdown must also exceed this relative median change")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--no-latency", flags->skip_latency, "ignore latency (e.g. across machines)");
  return [flags] {
    CompareOptions options = flags->options;
    options.check_latency = !flags->skip_latency;
    return compare_results(flags->base, flags->current, options, stdout);
  };
}

}  // namespace slim::cli
