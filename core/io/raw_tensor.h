// RawTensor: a tensor of any safetensors dtype kept as its file bytes.
//
// Float weights live in slim::Tensor, which deliberately has no dtype. Everything else a
// checkpoint may hold (int8 weights, packed int4 as U8, int32/int64 indices, ...) is
// carried as bytes plus dtype and shape, so the I/O layer never needs to understand it:
// the quantized layer that owns the data decodes it with raw_tensor_values<T>().
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "core/io/safetensors_dtype.h"
#include "core/tensor.h"

namespace slim {

// safetensors data is little-endian; copying host memory as-is is only right on such hosts.
static_assert(std::endian::native == std::endian::little, "slim_io assumes a little-endian host");

struct RawTensor {
  std::string name;
  std::string dtype;           // a safetensors dtype name, e.g. "I8", "U8", "I64"
  Shape shape;                 // in elements of `dtype`, C order
  std::vector<uint8_t> bytes;  // numel(shape) * element size bytes, little-endian
};

// Builds a RawTensor from typed values. sizeof(T) must be the dtype's element size and
// `values` must hold exactly numel(shape) elements (std::logic_error otherwise: a bug).
template <typename T>
RawTensor make_raw_tensor(std::string name, std::string dtype, Shape shape,
                          std::span<const T> values) {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto size = safetensors_dtype_size(dtype);
  if (!size || *size != sizeof(T)) {
    throw std::logic_error("make_raw_tensor: element type does not match dtype " + dtype);
  }
  if (static_cast<int64_t>(values.size()) != shape_numel(shape)) {
    throw std::logic_error("make_raw_tensor: value count does not match shape " +
                           shape_to_string(shape));
  }
  RawTensor raw{std::move(name), std::move(dtype), std::move(shape), {}};
  raw.bytes.resize(values.size_bytes());
  if (!values.empty()) std::memcpy(raw.bytes.data(), values.data(), values.size_bytes());
  return raw;
}

// The elements of `raw` as T. A tensor whose element size is not sizeof(T) usually comes
// from a file that does not match what the caller expects, hence a UserError.
template <typename T>
std::vector<T> raw_tensor_values(const RawTensor& raw) {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto size = safetensors_dtype_size(raw.dtype);
  if (!size || *size != sizeof(T) || raw.bytes.size() % sizeof(T) != 0) {
    fail("tensor '{}' has dtype {}, which does not hold {}-byte elements", raw.name, raw.dtype,
         sizeof(T));
  }
  std::vector<T> values(raw.bytes.size() / sizeof(T));
  if (!values.empty()) std::memcpy(values.data(), raw.bytes.data(), raw.bytes.size());
  return values;
}

}  // namespace slim
