#include "cli/threads.h"

#include <thread>

#include "core/gemm.h"

namespace slim::cli {

void add_thread_option(CLI::App& command, int& threads) {
  command.add_option("--threads", threads, "worker threads (0 = all available cores)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
}

void apply_thread_count(int threads) {
  set_num_threads(threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace slim::cli
