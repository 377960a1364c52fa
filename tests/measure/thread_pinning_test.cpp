// ThreadPinning: each OpenMP team thread runs on exactly one CPU while the object lives,
// distinct CPUs when there are enough, and the process's mask comes back afterwards.
#include "harness/measure/thread_pinning.h"

#include <omp.h>
#include <pthread.h>
#include <sched.h>

#include <catch2/catch.hpp>
#include <set>
#include <vector>

namespace slim {
namespace {

std::vector<int> current_thread_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

TEST_CASE("ThreadPinning pins one thread to one CPU and restores the mask", "[measure]") {
  const std::vector<int> before = current_thread_cpus();
  {
    const ThreadPinning pinning(1);
    REQUIRE(pinning.failure().empty());
    REQUIRE(pinning.cpus().size() == 1);
    CHECK(current_thread_cpus() == std::vector<int>{pinning.cpus()[0]});
    CHECK(pinning.cpus()[0] == before.front());  // the first allowed CPU
  }
  CHECK(current_thread_cpus() == before);
}

TEST_CASE("ThreadPinning gives each team thread its own CPU when there are enough", "[measure]") {
  const int threads = 2;
  const auto allowed = current_thread_cpus();
  const ThreadPinning pinning(threads);
  REQUIRE(pinning.failure().empty());
  REQUIRE(pinning.cpus().size() == 2);
  std::vector<std::vector<int>> seen(threads);
#pragma omp parallel num_threads(threads)
  seen[static_cast<size_t>(omp_get_thread_num())] = current_thread_cpus();
  for (int t = 0; t < threads; ++t) {
    INFO("thread " << t);
    CHECK(seen[static_cast<size_t>(t)] == std::vector<int>{pinning.cpus()[static_cast<size_t>(t)]});
  }
  const std::set<int> distinct(pinning.cpus().begin(), pinning.cpus().end());
  CHECK(distinct.size() == std::min<size_t>(2, allowed.size()));
}

}  // namespace
}  // namespace slim
