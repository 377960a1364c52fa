// for_each_block (kernels/int8/for_each_block.h): every block runs exactly once, and an
// OpenMP region is entered only when it was asked for and more than one thread would
// run it. Entering one on a single thread cost 0.6-1.2 us per batch-1 GEMM on Zen 5, so
// a product that asks for threads by its size alone must still loop plainly there.
#include "kernels/int8/for_each_block.h"

#include <omp.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "core/gemm.h"

namespace slim {
namespace {

struct Visits {
  std::vector<int> count;  // per block
  std::vector<int> level;  // omp_get_level() inside each block's body
  int enters = 0, leaves = 0;
};

Visits run_blocks(int64_t blocks, bool parallel) {
  Visits v;
  v.count.assign(static_cast<size_t>(blocks), 0);
  v.level.assign(static_cast<size_t>(blocks), -1);
  for_each_block(
      blocks, parallel,
      [&](int64_t i) {
        ++v.count[static_cast<size_t>(i)];
        v.level[static_cast<size_t>(i)] = omp_get_level();
      },
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

// Restores the thread count that the test changed.
struct ThreadCount {
  const int saved = omp_get_max_threads();
  explicit ThreadCount(int threads) { set_num_threads(threads); }
  ~ThreadCount() { set_num_threads(saved); }
};

TEST_CASE("for_each_block enters no OpenMP region on one thread, even when asked to split",
          "[int8]") {
  const ThreadCount one(1);
  const Visits v = run_blocks(37, true);
  CHECK(v.count == std::vector<int>(37, 1));
  CHECK(v.level == std::vector<int>(37, 0));
  CHECK(v.enters == 1);
  CHECK(v.leaves == 1);
}

TEST_CASE("for_each_block splits across threads only when asked and more than one would run",
          "[int8]") {
  const ThreadCount two(2);
  const Visits split = run_blocks(37, true);
  CHECK(split.count == std::vector<int>(37, 1));
  CHECK(split.level == std::vector<int>(37, 1));
  CHECK(split.enters == split.leaves);
  CHECK(split.enters >= 1);
  const Visits plain = run_blocks(37, false);
  CHECK(plain.count == std::vector<int>(37, 1));
  CHECK(plain.level == std::vector<int>(37, 0));
  CHECK(plain.enters == 1);
}

}  // namespace
}  // namespace slim
