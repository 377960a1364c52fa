// slimbench's subcommands. Each registers its flags on the CLI11 app and returns the
// function that runs it; main() dispatches. Commands stay thin: they parse, call into
// the libraries and print.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace slim::cli {

using Command = std::function<int()>;

Command add_train_command(CLI::App& app);
Command add_eval_command(CLI::App& app);
Command add_list_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_compare_command(CLI::App& app);
Command add_merge_command(CLI::App& app);
Command add_bench_compare_command(CLI::App& app);

}  // namespace slim::cli
