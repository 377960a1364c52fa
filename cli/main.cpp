// slimbench: reproducible benchmarks of neural-network compression.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "core/error.h"

namespace {

// libgomp reads its wait policy once, before main() runs. Its default spins for
// milliseconds after every parallel loop, which on a 2-core machine starves whatever
// else runs (measured: training 10x slower when another process was busy). We cap the
// spin at a few tens of microseconds by re-executing ourselves once with GOMP_SPINCOUNT
// set, unless the user already chose a policy.
void bound_openmp_spinning(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  setenv("GOMP_SPINCOUNT", "20000", 1);
  execv("/proc/self/exe", argv);  // returns only on failure; then carry on as we are
}

// Error messages quote user input (keys, names, paths), which may itself hold line
// breaks; escaping them keeps every error on the one line that scripts and users expect.
std::string one_line(std::string_view message) {
  std::string line;
  for (char c : message) {
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else {
      line += c;
    }
  }
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  bound_openmp_spinning(argv);
  CLI::App app{"slimbench: reproducible benchmarks of neural-network compression", "slimbench"};
  app.require_subcommand(1);
  app.set_version_flag("--version", SLIMBENCH_VERSION);
  std::map<std::string, slim::cli::Command> commands;
  commands["train"] = slim::cli::add_train_command(app);
  commands["eval"] = slim::cli::add_eval_command(app);
  commands["list"] = slim::cli::add_list_command(app);
  commands["run"] = slim::cli::add_run_command(app);
  commands["merge"] = slim::cli::add_merge_command(app);
  commands["compare"] = slim::cli::add_compare_command(app);
  commands["bench-compare"] = slim::cli::add_bench_compare_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Usage errors are bad input too: one line, exit 2.
    fmt::print(stderr, "slimbench: error: {}\n", one_line(e.what()));
    return slim::kExitBadInput;
  }
  try {
    for (const CLI::App* sub : app.get_subcommands()) return commands.at(sub->get_name())();
  } catch (const slim::UserError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "slimbench: error: {}\n", one_line(e.what()));
    return slim::kExitBadInput;
  }
  return 0;
}
