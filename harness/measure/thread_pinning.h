// ThreadPinning: for the lifetime of the object, each thread of an OpenMP team of the
// given size runs on one CPU of its own, taken in order from the CPUs the process may use.
//
// Timings move when the scheduler migrates a thread between cores (cold caches, another
// core's frequency, a sibling hyper-thread). Pinning at run time, rather than asking users
// for OMP_PROC_BIND, makes every latency in the results pinned the same way, and the
// record names the CPUs. It relies on the OpenMP runtime keeping its pool threads between
// parallel regions of the same size (libgomp does), so the threads pinned here are the
// ones that later run the measured code. With fewer allowed CPUs than threads, threads
// share CPUs round-robin and the record shows it. The destructor restores every team
// thread's affinity to the process's mask at construction.
#pragma once

#include <string>
#include <vector>

namespace slim {

class ThreadPinning {
 public:
  explicit ThreadPinning(int threads);
  ~ThreadPinning();
  ThreadPinning(const ThreadPinning&) = delete;
  ThreadPinning& operator=(const ThreadPinning&) = delete;

  // The CPU each OpenMP thread (by thread number) was pinned to; empty when pinning failed.
  const std::vector<int>& cpus() const { return cpus_; }
  // Why pinning failed, or "" when it worked.
  const std::string& failure() const { return failure_; }

 private:
  int threads_;
  std::vector<int> allowed_;  // the process's CPUs at construction
  std::vector<int> cpus_;
  std::string failure_;
};

}  // namespace slim
