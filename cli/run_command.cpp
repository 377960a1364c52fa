// slimbench run FILE [--dry-run] [--filter REGEX] [--shard i/N] [--resume | --run-dir DIR]
//                    [--results-dir DIR] [--threads N]
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/threads.h"
#include "harness/sweep_runner.h"

namespace slim::cli {

Command add_run_command(CLI::App& app) {
  struct Flags {
    RunOptions options;
    std::string filter, shard, run_dir, results_dir;
    int threads = 0;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* sub =
      app.add_subcommand("run", "run a sweep file (experiments/*.json) and print its table");
  sub->add_option("sweep", flags->options.file, "sweep JSON file")->required();
  sub->add_flag("--dry-run", flags->options.dry_run, "list the jobs (ID and summary) and stop");
  sub->add_option("--filter", flags->filter,
                  "run only jobs whose 'ID model | pipeline params | backend | seed N' matches "
                  "this regex");
  sub->add_option("--shard", flags->shard,
                  "run slice i of N (0-based, e.g. 1/4), for job arrays; join with merge");
  auto* resume = sub->add_flag("--resume", flags->options.resume,
                               "continue the newest run of this sweep (and shard): finished jobs "
                               "are skipped");
  sub->add_option("--run-dir", flags->run_dir, "continue this run directory")->excludes(resume);
  sub->add_option("--results-dir", flags->results_dir,
                  "where results/<sweep>/<run-id>/ goes (default: the file's results_dir, "
                  "else ./results)");
  add_thread_option(*sub, flags->threads);
  return [flags] {
    apply_thread_count(flags->threads);
    RunOptions options = flags->options;
    if (!flags->filter.empty()) options.filter = flags->filter;
    if (!flags->shard.empty()) options.shard = parse_shard(flags->shard);
    if (!flags->run_dir.empty()) options.run_dir = flags->run_dir;
    if (!flags->results_dir.empty()) options.results_dir = flags->results_dir;
    return run_sweep(options);
  };
}

}  // namespace slim::cli
