// The --threads flag shared by every command that computes.
#pragma once

#include <CLI/CLI.hpp>

namespace slim::cli {

// 0 means "all cores the process may use".
void add_thread_option(CLI::App& command, int& threads);
void apply_thread_count(int threads);

}  // namespace slim::cli
