// Cache-defeating operand rotation for kernel benchmarks (after gemmlowp's benchmarks).
//
// A benchmark that calls a kernel on the same buffers in a loop finds them in L1/L2 from
// the second iteration on. In a real forward pass the other layers run in between and
// push this layer's weights and activations out, so the kernel meets them in a farther
// cache level or in DRAM. To measure that, a benchmark keeps several copies of its
// operands and moves to the next copy every iteration; the rule for how many copies is
// rotation_copies() below and bench/README.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace slim::bench {

// The size of this machine's largest data cache: from sysfs (what the kernel knows,
// which is right inside VMs), else from sysconf, else 32 MiB. glibc's sysconf derives
// the size from CPUID and on some VMs reports the host's whole L3 (measured: 256 MiB on
// a guest whose sysfs says 32 MiB), so sysfs comes first.
int64_t last_level_cache_bytes();

// How many copies of `copy_bytes` of operands to rotate through, when the real workload
// this kernel is part of touches `workload_bytes` per pass (e.g. a model's whole
// forward pass, zoo_gemm_shapes.h):
//  * workload_bytes <= copy_bytes: 1. The kernel is the whole workload (a standalone
//    GEMM), so it finds in cache what it left there, as it would for real.
//  * workload_bytes > llc_bytes: enough copies to span 2 * llc_bytes. The real run
//    streams these operands from DRAM; twice the capacity, because real caches are not
//    perfect LRU (victim caches, adaptive replacement) and keep part of a working set
//    only slightly larger than themselves.
//  * otherwise: enough copies to span workload_bytes. The real run finds the operands in
//    the last-level cache but not in L1/L2, which the other layers have churned; a
//    rotation as large as the workload reproduces that.
int64_t rotation_copies(int64_t copy_bytes, int64_t workload_bytes, int64_t llc_bytes);

// `count` copies of a benchmark's operands, handed out round-robin by next().
template <typename Operands>
class OperandRotation {
 public:
  // make(i) builds copy i; copies must own separate memory to be worth rotating.
  OperandRotation(int64_t count, const std::function<Operands(int64_t)>& make) {
    if (count < 1) throw std::invalid_argument("OperandRotation needs at least one copy");
    copies_.reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) copies_.push_back(make(i));
  }

  Operands& next() {
    Operands& current = copies_[index_];
    index_ = index_ + 1 == copies_.size() ? 0 : index_ + 1;
    return current;
  }

  int64_t count() const { return static_cast<int64_t>(copies_.size()); }

 private:
  std::vector<Operands> copies_;
  size_t index_ = 0;
};

}  // namespace slim::bench
