// for_each_block: the int8 kernels' loop over independent blocks of work, split across
// OpenMP threads only when asked.
//
// Entering an OpenMP region costs about 0.3 us per call even with one thread and a false
// `if` clause (measured on Zen 5 with GCC 12's libgomp): more than a batch-1 classifier's
// whole int8 product. So a product too small to split, or a run on one thread, loops
// plainly and never enters a region. (Until the thread count was checked here, the GEMMs,
// which ask by the size of their product alone, entered one on a single thread: 0.6-1.2
// us of every batch-1 product of 2^18 multiply-adds or more.)
#pragma once

#include <omp.h>

#include <cstdint>

namespace slim {

// body(i) for every i in [0, count), in any order; across threads when `parallel` and
// OpenMP would start more than one (omp_get_max_threads(), which slim::set_num_threads()
// sets): the GEMMs ask for threads by the size of their product alone. Each
// thread that takes part calls enter() before its share and leave() after it, for state
// that belongs to a thread (the AMX GEMM's tile configuration).
template <typename Body, typename Enter, typename Leave>
void for_each_block(int64_t count, bool parallel, Body&& body, Enter&& enter, Leave&& leave) {
  if (!parallel || omp_get_max_threads() == 1) {
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
