// Reader for the IDX file format used by MNIST and its relatives (Fashion-MNIST, KMNIST).
//
// Layout: two zero bytes, a type byte (0x08 = uint8), a dimension-count byte, that many
// big-endian uint32 sizes, then the row-major data. Files may be plain or gzipped; zlib's
// gzread passes plain files through unchanged, so one code path reads both.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace slim {

// An IDX array of uint8 values, the only element type the datasets here need.
struct IdxArray {
  std::vector<int64_t> dims;  // e.g. {60000, 28, 28} for an image file
  std::vector<uint8_t> data;  // product(dims) bytes, row-major
};

// The magic number of a uint8 IDX file with `ndims` dimensions (0x00000803 for images).
uint32_t idx_uint8_magic(int ndims);

// Reads a uint8 IDX file that must have exactly `expected_ndims` dimensions. Throws a
// one-line UserError naming the file when it is missing, has the wrong magic, an element
// type other than uint8, or fewer/more data bytes than its header promises.
IdxArray read_idx_uint8(const std::filesystem::path& path, int expected_ndims);

}  // namespace slim
