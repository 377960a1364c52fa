// write_safetensors: lays the tensors out, formats the header and streams it all into an
// atomically replaced file.
#include <algorithm>
#include <array>
#include <set>
#include <span>
#include <stdexcept>

#include "core/io/atomic_file.h"
#include "core/io/safetensors.h"
#include "core/io/safetensors_dtype.h"
#include "core/io/safetensors_header.h"

namespace slim {
namespace {

// One tensor on its way to the file: its header entry and the bytes it points at.
struct PlannedTensor {
  SafetensorsEntry entry;
  size_t element_size = 0;
  std::span<const std::byte> bytes;
};

PlannedTensor plan_float(const NamedTensor& tensor) {
  // A default-constructed Tensor has rank 0 but no element, unlike a real scalar.
  if (shape_numel(tensor.value.shape()) != tensor.value.numel()) {
    throw std::logic_error("write_safetensors: tensor '" + tensor.name +
                           "' has no storage for its shape");
  }
  return {{tensor.name, "F32", tensor.value.shape(), 0, 0},
          sizeof(float),
          std::as_bytes(tensor.value.values())};
}

PlannedTensor plan_raw(const RawTensor& raw) {
  const auto size = safetensors_dtype_size(raw.dtype);
  if (!size || raw.dtype == "F32") {
    throw std::logic_error("write_safetensors: raw tensor '" + raw.name + "' has dtype '" +
                           raw.dtype + "' (unknown, or F32, which belongs in `tensors`)");
  }
  if (raw.bytes.size() != static_cast<size_t>(shape_numel(raw.shape)) * *size) {
    throw std::logic_error("write_safetensors: raw tensor '" + raw.name +
                           "' byte count does not match shape " + shape_to_string(raw.shape));
  }
  return {{raw.name, raw.dtype, raw.shape, 0, 0}, *size, std::as_bytes(std::span(raw.bytes))};
}

void check_names(const std::vector<PlannedTensor>& planned) {
  std::set<std::string_view> names;
  for (const PlannedTensor& tensor : planned) {
    if (tensor.entry.name == "__metadata__" || !names.insert(tensor.entry.name).second) {
      throw std::logic_error("write_safetensors: tensor name '" + tensor.entry.name +
                             "' is reserved or used twice");
    }
  }
}

// Orders the data buffer by descending element size, then name (the reference
// implementation's order): since the buffer starts 8-byte aligned, every tensor then starts
// at a multiple of its element size, which lets readers map it without copying.
std::vector<PlannedTensor> plan_layout(const SafetensorsFile& file) {
  std::vector<PlannedTensor> planned;
  for (const NamedTensor& tensor : file.tensors) planned.push_back(plan_float(tensor));
  for (const RawTensor& raw : file.raw_tensors) planned.push_back(plan_raw(raw));
  check_names(planned);
  std::sort(planned.begin(), planned.end(), [](const PlannedTensor& a, const PlannedTensor& b) {
    if (a.element_size != b.element_size) return a.element_size > b.element_size;
    return a.entry.name < b.entry.name;
  });
  uint64_t offset = 0;
  for (PlannedTensor& tensor : planned) {
    tensor.entry.begin = offset;
    offset += tensor.bytes.size();
    tensor.entry.end = offset;
  }
  return planned;
}

// Written byte by byte so the result does not depend on the host's byte order.
std::array<std::byte, 8> little_endian_u64(uint64_t value) {
  std::array<std::byte, 8> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::byte>((value >> (8 * i)) & 0xFF);
  }
  return bytes;
}

}  // namespace

void write_safetensors(const std::filesystem::path& path, const SafetensorsFile& file) {
  const std::vector<PlannedTensor> planned = plan_layout(file);
  SafetensorsHeader header{{}, file.metadata};
  for (const PlannedTensor& tensor : planned) header.entries.push_back(tensor.entry);
  const std::string header_text = format_safetensors_header(header);

  write_file_atomically(path, [&](const ByteSink& sink) {
    sink(little_endian_u64(header_text.size()));
    sink(std::as_bytes(std::span(header_text)));
    for (const PlannedTensor& tensor : planned) {
      if (!tensor.bytes.empty()) sink(tensor.bytes);
    }
  });
}

}  // namespace slim
