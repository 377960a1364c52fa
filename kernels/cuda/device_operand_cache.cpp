#include "kernels/cuda/device_operand_cache.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <utility>

namespace slim {
namespace {

bool same_floats(const std::vector<float>& kept, const float* host, std::size_t count) {
  // Bytes, not float ==: a NaN must match itself and -0 must not match +0.
  return kept.size() == count && std::memcmp(kept.data(), host, count * sizeof(float)) == 0;
}

}  // namespace

DeviceGemmOperands DeviceOperandCache::prepare(const float* a, std::size_t a_count, const float* b,
                                               std::size_t b_count, const float* c_host,
                                               std::size_t c_count) {
  const Key a_key{a, a_count};
  const Key b_key{b, b_count};
  const Key c_key{c_host, c_count};
  const std::size_t needed = new_bytes(a_key, b_key, c_key);
  if (needed > 0 && stats_.device_bytes + needed > capacity_bytes_ && stats_.device_bytes > 0) {
    clear();
    ++stats_.evictions;
  }
  DeviceGemmOperands operands;
  operands.a = input(a, a_count);
  operands.b = input(b, b_count);
  operands.c = output(c_host, c_count);
  return operands;
}

std::size_t DeviceOperandCache::new_bytes(const Key& a, const Key& b, const Key& c) const {
  std::size_t bytes = 0;
  if (!inputs_.contains(a)) bytes += a.second * sizeof(float);
  if (b != a && !inputs_.contains(b)) bytes += b.second * sizeof(float);
  if (!outputs_.contains(c)) bytes += c.second * sizeof(float);
  return bytes;
}

const float* DeviceOperandCache::input(const float* host, std::size_t count) {
  const std::span<const float> values(host, count);
  const auto found = inputs_.find(Key{host, count});
  if (found == inputs_.end()) {
    // Built completely before it is inserted, so a failed upload leaves no half entry.
    InputEntry entry{DeviceArray<float>(values), std::vector<float>(values.begin(), values.end())};
    const float* device = entry.device.data();
    inputs_.emplace(Key{host, count}, std::move(entry));
    stats_.device_bytes += count * sizeof(float);
    ++stats_.uploaded;
    return device;
  }
  InputEntry& entry = found->second;
  if (!entry.changing && same_floats(entry.uploaded_bytes, host, count)) {
    ++stats_.reused;
    return entry.device.data();
  }
  if (!entry.changing) {
    // An activation, not a weight: stop keeping (and comparing) its bytes.
    entry.changing = true;
    entry.uploaded_bytes = std::vector<float>();
  }
  entry.device.upload(values);
  ++stats_.uploaded;
  return entry.device.data();
}

float* DeviceOperandCache::output(const float* host, std::size_t count) {
  const auto found = outputs_.find(Key{host, count});
  if (found != outputs_.end()) return found->second.data();
  DeviceArray<float> device(count);
  float* pointer = device.data();
  outputs_.emplace(Key{host, count}, std::move(device));
  stats_.device_bytes += count * sizeof(float);
  return pointer;
}

void DeviceOperandCache::clear() {
  inputs_.clear();
  outputs_.clear();
  stats_.device_bytes = 0;
}

}  // namespace slim
