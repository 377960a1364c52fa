#include "core/io/safetensors_dtype.h"

#include <array>
#include <utility>

namespace slim {

std::optional<size_t> safetensors_dtype_size(std::string_view dtype) {
  // The names and sizes of the reference implementation's Dtype enum (sub-byte types left out).
  static constexpr std::array<std::pair<std::string_view, size_t>, 15> kSizes{{
      {"BOOL", 1},
      {"U8", 1},
      {"I8", 1},
      {"F8_E5M2", 1},
      {"F8_E4M3", 1},
      {"I16", 2},
      {"U16", 2},
      {"F16", 2},
      {"BF16", 2},
      {"I32", 4},
      {"U32", 4},
      {"F32", 4},
      {"F64", 8},
      {"I64", 8},
      {"U64", 8},
  }};
  for (const auto& [name, size] : kSizes) {
    if (name == dtype) return size;
  }
  return std::nullopt;
}

}  // namespace slim
