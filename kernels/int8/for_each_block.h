// for_each_block: the int8 GEMMs' loop over independent blocks of work, split across
// OpenMP threads only when asked and when more than one thread would run
// (core/parallel_for.h says why a region is not entered otherwise). Until that thread
// count was checked, the GEMMs, which ask by the size of their product alone, entered a
// region on a single thread: 0.6-1.2 us of every batch-1 product of 2^18 multiply-adds
// or more on Zen 5.
#pragma once

#include <cstdint>

#include "core/parallel_for.h"

namespace slim {

// body(i) for every i in [0, count), in any order, as parallel_for(count, parallel, body);
// each thread that takes part calls enter() before its share and leave() after it, for
// state that belongs to a thread (the AMX GEMM's tile configuration).
template <typename Body, typename Enter, typename Leave>
void for_each_block(int64_t count, bool parallel, Body&& body, Enter&& enter, Leave&& leave) {
  if (!parallel || !openmp_would_split()) {
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

}  // namespace slim
