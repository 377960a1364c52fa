// DeviceOperandCache: device copies of host GEMM operands, reused while their bytes stay
// the same, for the `cuda` backend (cuda_fp32_backend.h).
//
// Why compare bytes instead of trusting the host pointer: the graph executor hands its
// GEMM host pointers only, and the constant operand is not always the same one. Linear
// layers pass the weights as B, but conv2d passes them as A and its im2col buffer as B;
// that buffer, like every activation tensor, keeps its address from run to run while
// its contents change. A cache keyed by (pointer, size) alone would therefore feed a
// conv layer stale patches. Instead each entry keeps a host copy of the bytes it
// uploaded: a weight matrix (owned by the Executable, never changed after lowering)
// matches on every call and is uploaded once; an operand seen to change once is marked
// as changing and from then on uploaded on every call without the comparison.
// Comparing costs a read of the weights and of their kept copy in host memory per GEMM,
// less than copying them over PCIe again.
//
// Capacity: when the operands of one GEMM would push the device bytes past the
// capacity, every entry is dropped first (a model bigger than the capacity re-uploads,
// as if uncached); a single GEMM bigger than the capacity is still served.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "kernels/cuda/device_buffer.h"

namespace slim {

inline constexpr std::size_t kDefaultDeviceOperandCapacity = std::size_t{1} << 30;  // 1 GiB

struct DeviceGemmOperands {
  const float* a = nullptr;
  const float* b = nullptr;
  float* c = nullptr;  // device memory for the product; the caller downloads it
};

class DeviceOperandCache {
 public:
  explicit DeviceOperandCache(std::size_t capacity_bytes = kDefaultDeviceOperandCapacity)
      : capacity_bytes_(capacity_bytes) {}

  // Device operands for one GEMM reading host a[0, a_count) and b[0, b_count) and writing
  // c_host[0, c_count): A and B hold the host bytes when this returns (uploads are
  // blocking), C is device memory reserved for that host output. Valid until the next
  // call. Throws CudaError when device memory or a copy fails.
  DeviceGemmOperands prepare(const float* a, std::size_t a_count, const float* b,
                             std::size_t b_count, const float* c_host, std::size_t c_count);

  struct Stats {
    int64_t reused = 0;     // inputs served from the device copy
    int64_t uploaded = 0;   // inputs copied to the device
    int64_t evictions = 0;  // times every entry was dropped for capacity
    std::size_t device_bytes = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  using Key = std::pair<const float*, std::size_t>;
  struct InputEntry {
    DeviceArray<float> device;
    std::vector<float> uploaded_bytes;  // what `device` holds; dropped once `changing`
    bool changing = false;
  };

  const float* input(const float* host, std::size_t count);
  float* output(const float* host, std::size_t count);
  std::size_t new_bytes(const Key& a, const Key& b, const Key& c) const;
  void clear();

  std::size_t capacity_bytes_;
  std::map<Key, InputEntry> inputs_;
  std::map<Key, DeviceArray<float>> outputs_;
  Stats stats_;
};

}  // namespace slim
