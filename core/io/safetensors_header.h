// The JSON header of a safetensors file: parsing with full validation, and formatting.
//
// Kept apart from the file I/O so that every rule about what a well-formed header is lives
// in one place. Parse errors are UserErrors without a file name; the caller prefixes it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace slim {

// The reference implementation refuses headers above 100 MB; so do we, so that a corrupt
// length prefix cannot make us allocate gigabytes before noticing anything is wrong.
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// One tensor's entry. Offsets are relative to the start of the data buffer.
struct SafetensorsEntry {
  std::string name;
  std::string dtype;
  Shape shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> entries;  // parse: sorted by position in the data buffer
  std::map<std::string, std::string> metadata;
};

// Parses `json_text` and checks it against a data buffer of `data_size` bytes: known dtypes,
// shapes whose byte size matches the offsets, offsets inside the buffer, and tensors that
// tile the buffer exactly (no overlap, no gap, no trailing bytes). Throws UserError.
SafetensorsHeader parse_safetensors_header(std::string_view json_text, uint64_t data_size);

// Compact JSON with keys in sorted order ("__metadata__" omitted when empty), padded with
// spaces to a multiple of 8 bytes so that the data buffer starts 8-byte aligned.
std::string format_safetensors_header(const SafetensorsHeader& header);

}  // namespace slim
