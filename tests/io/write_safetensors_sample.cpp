// write_safetensors_sample FILE EXPECTED_JSON
//
// Writes the sample checkpoint with our writer, plus a JSON description of what it holds
// (name -> dtype, shape, flat values; and the metadata), for scripts/check_safetensors.py
// to compare against what the Python safetensors package reads back.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "tests/io/sample_checkpoint.h"

namespace {

using nlohmann::json;
using slim::RawTensor;

json raw_values(const RawTensor& raw) {
  if (raw.dtype == "I8") return slim::raw_tensor_values<int8_t>(raw);
  if (raw.dtype == "U8") return slim::raw_tensor_values<uint8_t>(raw);
  if (raw.dtype == "I32") return slim::raw_tensor_values<int32_t>(raw);
  if (raw.dtype == "I64") return slim::raw_tensor_values<int64_t>(raw);
  slim::fail("write_safetensors_sample: no JSON conversion for dtype {}", raw.dtype);
}

// Floats go through double, whose shortest decimal form parses back to the same float.
json describe(const slim::SafetensorsFile& file) {
  json tensors = json::object();
  for (const slim::NamedTensor& tensor : file.tensors) {
    const auto values = tensor.value.values();
    tensors[tensor.name] = {{"dtype", "F32"},
                            {"shape", tensor.value.shape()},
                            {"values", std::vector<double>(values.begin(), values.end())}};
  }
  for (const RawTensor& raw : file.raw_tensors) {
    tensors[raw.name] = {{"dtype", raw.dtype}, {"shape", raw.shape}, {"values", raw_values(raw)}};
  }
  return {{"tensors", tensors}, {"metadata", file.metadata}};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s FILE EXPECTED_JSON\n", argv[0]);
    return slim::kExitBadInput;
  }
  try {
    const slim::SafetensorsFile file = slim::test::sample_checkpoint();
    slim::write_safetensors(argv[1], file);
    slim::write_file_atomically(argv[2], describe(file).dump(2) + "\n");
  } catch (const slim::UserError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return slim::kExitBadInput;
  }
  return 0;
}
