// for_each_block: the int8 kernels' loop over independent blocks of work, split across
// OpenMP threads only when asked.
//
// Entering an OpenMP region costs about 0.3 us per call even with one thread and a false
// `if` clause (measured on Zen 5 with GCC 12's libgomp): more than a batch-1 classifier's
// whole int8 product. So a product too small to split, or a run on one thread, loops
// plainly and never enters a region.
#pragma once

#include <cstdint>

namespace slim {

// body(i) for every i in [0, count), in any order; across threads when `parallel`. Each
// thread that takes part calls enter() before its share and leave() after it, for state
// that belongs to a thread (the AMX GEMM's tile configuration).
template <typename Body, typename Enter, typename Leave>
void for_each_block(int64_t count, bool parallel, Body&& body, Enter&& enter, Leave&& leave) {
  if (!parallel) {
    enter();
    for (int64_t i = 0; i < count; ++i) body(i);
    leave();
    return;
  }
#pragma omp parallel
  {
    enter();
#pragma omp for schedule(static)
    for (int64_t i = 0; i < count; ++i) body(i);
    leave();
  }
}

template <typename Body>
void for_each_block(int64_t count, bool parallel, Body&& body) {
  for_each_block(
      count, parallel, body, [] {}, [] {});
}

}  // namespace slim
