// A test hook: SLIMBENCH_BENCH_INJECT_SLOWDOWN=0.2 makes every timed kernel call 20%
// slower, so tests/cli/bench_compare_test.sh can check that `slimbench bench-compare`
// flags a real benchmark's slowdown and stays quiet on a plain rerun.
//
// The delay is a busy wait for that fraction of the kernel call's own measured time, not
// a fixed sleep: it scales with the shape and with the machine's load the way a slower
// kernel would, and a spin (unlike sleep) keeps the core as busy as the kernel did.
// Without the variable nothing extra is timed or called.
#pragma once

#include <chrono>

namespace slim::bench {

// The fraction from SLIMBENCH_BENCH_INJECT_SLOWDOWN, 0 when unset. A value that is not a
// number in [0, 10] prints one line to stderr and exits with code 2: a typo in a test
// hook must not silently measure the unslowed kernel.
double injected_slowdown();

// Calls kernel(); when `slowdown` > 0, then spins for slowdown times the call's duration.
template <typename Kernel>
void run_with_slowdown(double slowdown, Kernel&& kernel) {
  if (slowdown <= 0) {
    kernel();
    return;
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  kernel();
  const Clock::time_point end = Clock::now();
  const auto extra = std::chrono::duration_cast<Clock::duration>((end - start) * slowdown);
  while (Clock::now() - end < extra) {
  }
}

}  // namespace slim::bench
