// parallel_for, parallel_region and parallel_slices (core/parallel_for.h) and the int8 GEMMs'
// for_each_block (kernels/int8/for_each_block.h): every iteration runs exactly once, and an OpenMP
// region is entered only when the caller judged the work worth splitting and more than
// one thread would run it. Entering one on a single thread cost 0.35 us per loop and
// 0.6-1.2 us per batch-1 GEMM on Zen 5, so loops that ask for threads by the size of
// their work alone must still run plainly there.
#include "core/parallel_for.h"

#include <omp.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "core/gemm.h"
#include "kernels/int8/for_each_block.h"

namespace slim {
namespace {

constexpr int64_t kCount = 37;

// What each iteration saw: how often it ran, and omp_get_level() inside it (0 outside
// every region, 1 inside one).
struct Visits {
  std::vector<int> count = std::vector<int>(kCount, 0);
  std::vector<int> level = std::vector<int>(kCount, -1);
  int enters = 0, leaves = 0;
  void visit(int64_t i) {
    ++count[static_cast<size_t>(i)];
    level[static_cast<size_t>(i)] = omp_get_level();
  }
};

Visits run_parallel_for(bool worth_splitting) {
  Visits v;
  parallel_for(kCount, worth_splitting, [&](int64_t i) { v.visit(i); });
  return v;
}

Visits run_for_each_block(bool parallel) {
  Visits v;
  for_each_block(
      kCount, parallel, [&](int64_t i) { v.visit(i); },
      [&] {
#pragma omp atomic
        ++v.enters;
      },
      [&] {
#pragma omp atomic
        ++v.leaves;
      });
  return v;
}

// Each thread of parallel_region visits its own share of the iterations.
Visits run_parallel_region(bool worth_splitting) {
  Visits v;
  parallel_region(worth_splitting, [&](int64_t thread, int64_t threads) {
    for (int64_t i = kCount * thread / threads; i < kCount * (thread + 1) / threads; ++i) {
      v.visit(i);
    }
  });
  return v;
}

// parallel_slices hands each thread one contiguous range.
Visits run_parallel_slices(bool worth_splitting) {
  Visits v;
  parallel_slices(kCount, worth_splitting, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) v.visit(i);
  });
  return v;
}

const std::vector<int> kOnce(kCount, 1);
const std::vector<int> kOutsideRegions(kCount, 0);
const std::vector<int> kInsideOneRegion(kCount, 1);

// Sets OpenMP's thread count for one test and restores it after.
struct ThreadCount {
  const int saved = omp_get_max_threads();
  explicit ThreadCount(int threads) { set_num_threads(threads); }
  ~ThreadCount() { set_num_threads(saved); }
};

TEST_CASE("parallel loops enter no OpenMP region on one thread, even when asked to split",
          "[parallel]") {
  const ThreadCount one(1);
  CHECK_FALSE(openmp_would_split());
  const Visits loop = run_parallel_for(true);
  CHECK(loop.count == kOnce);
  CHECK(loop.level == kOutsideRegions);
  const Visits region = run_parallel_region(true);
  CHECK(region.count == kOnce);
  CHECK(region.level == kOutsideRegions);
  const Visits slices = run_parallel_slices(true);
  CHECK(slices.count == kOnce);
  CHECK(slices.level == kOutsideRegions);
  const Visits blocks = run_for_each_block(true);
  CHECK(blocks.count == kOnce);
  CHECK(blocks.level == kOutsideRegions);
  CHECK(blocks.enters == 1);
  CHECK(blocks.leaves == 1);
}

TEST_CASE("parallel loops split across threads only when asked and more than one would run",
          "[parallel]") {
  const ThreadCount two(2);
  CHECK(openmp_would_split());
  for (const bool asked : {true, false}) {
    INFO("asked to split: " << asked);
    const std::vector<int>& expected_level = asked ? kInsideOneRegion : kOutsideRegions;
    const Visits loop = run_parallel_for(asked);
    CHECK(loop.count == kOnce);
    CHECK(loop.level == expected_level);
    const Visits region = run_parallel_region(asked);
    CHECK(region.count == kOnce);
    CHECK(region.level == expected_level);
    const Visits slices = run_parallel_slices(asked);
    CHECK(slices.count == kOnce);
    CHECK(slices.level == expected_level);
    const Visits blocks = run_for_each_block(asked);
    CHECK(blocks.count == kOnce);
    CHECK(blocks.level == expected_level);
    CHECK(blocks.enters == blocks.leaves);
    CHECK(blocks.enters >= 1);
  }
}

TEST_CASE("a parallel loop inside a region runs plainly on its thread", "[parallel]") {
  const ThreadCount two(2);
  std::vector<Visits> inner(2);
  std::vector<int> would_split(2, -1);  // Catch's checks are not thread-safe: checked after
#pragma omp parallel num_threads(2)
  {
    const auto thread = static_cast<size_t>(omp_get_thread_num());
    would_split[thread] = openmp_would_split() ? 1 : 0;
    parallel_for(kCount, true, [&](int64_t i) { inner[thread].visit(i); });
  }
  CHECK(would_split == std::vector<int>{0, 0});
  for (const Visits& v : inner) {
    CHECK(v.count == kOnce);
    CHECK(v.level == kInsideOneRegion);  // the outer region's level: no nested one
  }
}

}  // namespace
}  // namespace slim
