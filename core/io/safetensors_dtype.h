// The element types a safetensors file may declare, by their header names ("F32", "I8", ...).
//
// Only the byte size matters to the file format: it is what ties a tensor's shape to its
// data_offsets, and it decides where a tensor goes in the data buffer (see safetensors.h).
// The sub-byte float formats (F4, F6_*) are not known here: their sizes are not whole
// bytes, so the reader rejects them as unknown dtypes. Packed int4 weights are stored as
// U8 with a shape that counts bytes, which every safetensors reader understands.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace slim {

// Bytes per element of `dtype`, or nullopt for a name this reader does not know.
std::optional<size_t> safetensors_dtype_size(std::string_view dtype);

}  // namespace slim
