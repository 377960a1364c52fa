// parallel_for: a loop over independent iterations, split across OpenMP threads only
// when more than one thread would run it.
//
// Entering an OpenMP region costs about 0.35 us even when it runs on one thread, and
// even with a false `if` clause (GCC 12's libgomp, Zen 5): the call into the runtime and
// the team setup happen either way. Latency is measured on one pinned thread, where a
// batch-1 forward pass enters a region per layer and loop, so a plain `#pragma omp
// parallel for` would charge every layer that fee for nothing. Loops that may be short go
// through here instead.
#pragma once

#include <omp.h>

#include <cstdint>

namespace slim {

// Whether a region entered here would run on more than one thread: OpenMP would start
// several (omp_get_max_threads(), which set_num_threads() in core/gemm.h sets) and this
// code is not already inside a region (nested regions run on one thread).
inline bool openmp_would_split() {
  return omp_get_max_threads() > 1 && !omp_in_parallel();
}

// body(i) for every i in [0, count), statically split across threads when
// `worth_splitting` (the caller's judgement of the work, e.g. enough multiply-adds) and
// more than one thread would run; iterations must be independent.
template <typename Body>
void parallel_for(int64_t count, bool worth_splitting, Body&& body) {
  if (count <= 1 || !worth_splitting || !openmp_would_split()) {
    for (int64_t i = 0; i < count; ++i) body(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < count; ++i) body(i);
}

template <typename Body>
void parallel_for(int64_t count, Body&& body) {
  parallel_for(count, true, body);
}

// body(thread, threads) once per thread of a region, for loops that split their work by
// hand; body(0, 1) on this thread when one would run or the work is not worth splitting.
template <typename Body>
void parallel_region(bool worth_splitting, Body&& body) {
  if (!worth_splitting || !openmp_would_split()) {
    body(int64_t{0}, int64_t{1});
    return;
  }
#pragma omp parallel
  body(int64_t{omp_get_thread_num()}, int64_t{omp_get_num_threads()});
}

// body(begin, end) once per thread of a region, over that thread's contiguous share of
// [0, count); body(0, count) on this thread when one would run or the work is not worth
// splitting. For loops that step their state along a range instead of deriving it per
// index.
template <typename Body>
void parallel_slices(int64_t count, bool worth_splitting, Body&& body) {
  parallel_region(worth_splitting, [&](int64_t thread, int64_t threads) {
    body(count * thread / threads, count * (thread + 1) / threads);
  });
}

// body(begin, end) over [0, count) in ranges of `grain` elements (the last may be
// shorter), for elementwise loops that vectorize inside a range.
template <typename Body>
void parallel_for_ranges(int64_t count, int64_t grain, Body&& body) {
  const int64_t ranges = (count + grain - 1) / grain;
  parallel_for(ranges, [&](int64_t r) {
    const int64_t begin = r * grain;
    body(begin, begin + grain < count ? begin + grain : count);
  });
}

}  // namespace slim
