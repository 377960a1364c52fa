#include "harness/measure/thread_pinning.h"

#include <omp.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>

namespace slim {
namespace {

std::vector<int> process_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

bool set_thread_cpus(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

}  // namespace

ThreadPinning::ThreadPinning(int threads)
    : threads_(std::max(threads, 1)), allowed_(process_cpus()) {
  if (allowed_.empty()) {
    failure_ = "sched_getaffinity failed";
    return;
  }
  std::vector<int> chosen(static_cast<size_t>(threads_));
  std::atomic<bool> all_pinned{true};
#pragma omp parallel num_threads(threads_)
  {
    const auto index = static_cast<size_t>(omp_get_thread_num());
    const int cpu = allowed_[index % allowed_.size()];
    chosen[index] = cpu;
    if (!set_thread_cpus({cpu})) all_pinned = false;
  }
  if (all_pinned) {
    cpus_ = std::move(chosen);
  } else {
    failure_ = "pthread_setaffinity_np failed";
  }
}

ThreadPinning::~ThreadPinning() {
  if (allowed_.empty()) return;
#pragma omp parallel num_threads(threads_)
  set_thread_cpus(allowed_);
}

}  // namespace slim
