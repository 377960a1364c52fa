// Reading and writing safetensors checkpoints (the Hugging Face tensor file format).
//
// File layout:
//   bytes [0, 8)       N, the header length, as a little-endian uint64
//   bytes [8, 8 + N)   UTF-8 JSON header, padded with spaces
//   bytes [8 + N, end) the data buffer
// The header maps each tensor name to {"dtype": "F32", "shape": [2, 3],
// "data_offsets": [begin, end]}, with offsets relative to the start of the data buffer and
// data stored little-endian in C (row-major) order. An optional "__metadata__" entry maps
// strings to strings.
//
// Choices made here:
// - F32 tensors become slim::Tensor; every other dtype (I8, U8, packed int4 as U8, I32,
//   I64, ...) is carried as a RawTensor, bytes plus dtype and shape, so quantized
//   checkpoints fit without giving Tensor a dtype.
// - The writer is deterministic: equal content gives byte-identical files. Header keys are
//   sorted, and the data buffer holds tensors by descending element size, then by name
//   (the reference implementation also sorts by dtype alignment first, then name). As the
//   header is padded with spaces to a multiple of 8 bytes, like the reference pads it,
//   every tensor then starts at a multiple of its element size. Files are not promised
//   to be byte-identical to the reference writer's (its JSON key order differs).
// - Writes are atomic (see atomic_file.h): a crash never leaves a half-written checkpoint.
// - The reader trusts nothing: every inconsistency (truncation, bad JSON, unknown dtype,
//   offsets that disagree with the shape, overlapping or uncovered data, trailing bytes,
//   duplicate names, unknown entry fields, non-string metadata, a header over 100 MB) is
//   a one-line UserError that names the file. Results are sorted
//   by name, whatever the order in the file.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/raw_tensor.h"
#include "core/tensor.h"

namespace slim {

struct NamedTensor {
  std::string name;
  Tensor value;  // stored as F32
};

struct SafetensorsFile {
  std::vector<NamedTensor> tensors;             // the F32 tensors
  std::vector<RawTensor> raw_tensors;           // tensors of every other dtype
  std::map<std::string, std::string> metadata;  // "__metadata__"; empty means absent
};

// Writes `file` to `path` atomically. Contents that cannot be represented (a name used
// twice or equal to "__metadata__", a RawTensor whose byte count disagrees with its shape,
// an unknown dtype, or dtype F32 in raw_tensors, which belongs in `tensors`) are
// programming errors: std::logic_error, and nothing is written. I/O failures: UserError.
void write_safetensors(const std::filesystem::path& path, const SafetensorsFile& file);

// Reads and validates a whole file. Throws UserError naming `path` on any problem.
SafetensorsFile read_safetensors(const std::filesystem::path& path);

// Lookups by name; nullptr when absent, so callers can word their own error.
const NamedTensor* find_tensor(const SafetensorsFile& file, std::string_view name);
const RawTensor* find_raw_tensor(const SafetensorsFile& file, std::string_view name);

}  // namespace slim
