// slimbench merge RUN_DIR... [--out DIR]: one run directory from the shards of a sweep.
#include <fmt/format.h>

#include <memory>
#include <vector>

#include "cli/commands.h"
#include "harness/merge.h"
#include "harness/report/records.h"
#include "harness/report/summary.h"
#include "harness/report/table.h"

namespace slim::cli {

Command add_merge_command(CLI::App& app) {
  struct Flags {
    std::vector<std::string> runs;
    std::string out;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* sub = app.add_subcommand("merge", "join the run directories of a sharded sweep");
  sub->add_option("runs", flags->runs, "run directories (results/<sweep>/<run-id>)")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--out", flags->out, "merged run directory (default: next to the first)");
  return [flags] {
    std::vector<std::filesystem::path> runs(flags->runs.begin(), flags->runs.end());
    std::optional<std::filesystem::path> out;
    if (!flags->out.empty()) out = flags->out;
    const auto merged = merge_runs(runs, out);
    fmt::print("{}", table_markdown(summarize_records(read_run_records(merged))));
    fmt::print("\nmerged {} run(s) into {}\n", runs.size(), merged.string());
    return 0;
  };
}

}  // namespace slim::cli
