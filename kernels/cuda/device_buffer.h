// DeviceArray<T>: an owning, move-only array in GPU memory (RAII over cudaMalloc/cudaFree).
//
// The template holds no CUDA types; the few runtime calls it needs are the untyped
// functions in `detail`, compiled once in device_buffer.cpp. An empty array owns no
// memory and touches no CUDA API, so zero-sized work runs even without a GPU.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace slim {
namespace detail {

void* device_allocate(std::size_t count, std::size_t element_size);  // nullptr for count 0
void device_free(void* pointer) noexcept;
void copy_to_device(void* device, const void* host, std::size_t bytes);
void copy_to_host(void* host, const void* device, std::size_t bytes);
// Throws std::invalid_argument unless the host side has exactly `expected` elements.
void check_transfer_size(std::size_t expected, std::size_t actual);

}  // namespace detail

template <typename T>
class DeviceArray {
  // Elements travel by memcpy, so they must be bytes-only types.
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  DeviceArray() = default;
  // Uninitialised device memory for `size` elements.
  explicit DeviceArray(std::size_t size)
      : data_(static_cast<T*>(detail::device_allocate(size, sizeof(T)))), size_(size) {}
  // A device copy of `host`.
  explicit DeviceArray(std::span<const T> host) : DeviceArray(host.size()) { upload(host); }

  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    DeviceArray moved(std::move(other));
    std::swap(data_, moved.data_);
    std::swap(size_, moved.size_);
    return *this;
  }
  ~DeviceArray() { detail::device_free(data_); }

  // Device pointers: pass them to kernels and launchers, never dereference on the host.
  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Blocking copies; `host` must have exactly size() elements.
  void upload(std::span<const T> host) {
    detail::check_transfer_size(size_, host.size());
    detail::copy_to_device(data_, host.data(), size_ * sizeof(T));
  }
  void download(std::span<T> host) const {
    detail::check_transfer_size(size_, host.size());
    detail::copy_to_host(host.data(), data_, size_ * sizeof(T));
  }
  std::vector<T> to_host() const {
    std::vector<T> host(size_);
    download(host);
    return host;
  }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace slim
