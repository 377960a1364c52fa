// read_safetensors: checks the length prefix against the file size, validates the header
// (safetensors_header.cpp), then reads each tensor's bytes straight into its final storage,
// so a checkpoint is never held in memory twice.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "core/io/safetensors_header.h"

namespace slim {
namespace {

void read_exact(std::istream& in, void* destination, uint64_t count) {
  if (count == 0) return;
  if (!in.read(static_cast<char*>(destination), static_cast<std::streamsize>(count))) {
    fail("unexpected end of file");
  }
}

uint64_t read_header_length(std::istream& in) {
  std::array<unsigned char, 8> bytes{};
  read_exact(in, bytes.data(), bytes.size());
  uint64_t value = 0;
  for (size_t i = 0; i < bytes.size(); ++i) value |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  return value;
}

// Reads the length prefix and the header; `file_size` bounds both before anything is
// allocated, so a corrupt prefix is reported instead of attempted.
SafetensorsHeader read_header(std::istream& in, uint64_t file_size) {
  if (file_size < 8) {
    fail("the file has {} bytes, fewer than the 8-byte header length (truncated?)", file_size);
  }
  const uint64_t header_size = read_header_length(in);
  if (header_size > file_size - 8) {
    fail("header length {} exceeds the {} bytes that follow it (truncated?)", header_size,
         file_size - 8);
  }
  if (header_size > kMaxSafetensorsHeaderBytes) {
    fail("header length {} exceeds the limit of {} bytes", header_size, kMaxSafetensorsHeaderBytes);
  }
  std::string text(header_size, '\0');
  read_exact(in, text.data(), header_size);
  return parse_safetensors_header(text, file_size - 8 - header_size);
}

// The data buffer is tiled by the entries in offset order, so reading them in that order
// consumes the rest of the file front to back.
SafetensorsFile read_tensors(std::istream& in, const SafetensorsHeader& header) {
  SafetensorsFile file;
  file.metadata = header.metadata;
  for (const SafetensorsEntry& entry : header.entries) {
    const uint64_t size = entry.end - entry.begin;
    if (entry.dtype == "F32") {
      Tensor value(entry.shape);
      read_exact(in, value.data(), size);
      file.tensors.push_back({entry.name, std::move(value)});
    } else {
      RawTensor raw{entry.name, entry.dtype, entry.shape, std::vector<uint8_t>(size)};
      read_exact(in, raw.bytes.data(), size);
      file.raw_tensors.push_back(std::move(raw));
    }
  }
  return file;
}

void sort_by_name(SafetensorsFile& file) {
  const auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::sort(file.tensors.begin(), file.tensors.end(), by_name);
  std::sort(file.raw_tensors.begin(), file.raw_tensors.end(), by_name);
}

}  // namespace

SafetensorsFile read_safetensors(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) fail("{}: no such file", path.string());
  if (!std::filesystem::is_regular_file(path, error)) fail("{}: not a file", path.string());
  const uint64_t file_size = std::filesystem::file_size(path, error);
  if (error) fail("{}: cannot read: {}", path.string(), error.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open: {}", path.string(), std::strerror(errno));

  try {
    SafetensorsFile file = read_tensors(in, read_header(in, file_size));
    sort_by_name(file);
    return file;
  } catch (const UserError& e) {
    fail("{}: invalid safetensors file: {}", path.string(), e.what());
  }
}

const NamedTensor* find_tensor(const SafetensorsFile& file, std::string_view name) {
  for (const NamedTensor& tensor : file.tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

const RawTensor* find_raw_tensor(const SafetensorsFile& file, std::string_view name) {
  for (const RawTensor& raw : file.raw_tensors) {
    if (raw.name == name) return &raw;
  }
  return nullptr;
}

}  // namespace slim
