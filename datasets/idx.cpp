#include "datasets/idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "core/error.h"

namespace slim {
namespace {

namespace fs = std::filesystem;

constexpr uint8_t kUint8TypeCode = 0x08;
// A header whose sizes multiply past this is corrupt, not a real dataset; refusing it
// avoids trying to allocate an absurd buffer before noticing the file is short.
constexpr int64_t kMaxDataBytes = int64_t{1} << 32;
// zlib's default 8 KiB buffer makes gzread call into the OS far too often for 47 MB.
constexpr unsigned kGzBufferBytes = 1u << 18;

// Owns a gzFile so every early `fail` still closes it.
class GzReader {
 public:
  explicit GzReader(const fs::path& path) : path_(path) {
    if (!fs::exists(path)) fail("{}: IDX file not found", path.string());
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) fail("{}: cannot open IDX file: {}", path.string(), std::strerror(errno));
    gzbuffer(file_, kGzBufferBytes);
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads up to `size` bytes and returns how many arrived; fewer means end of file (a
  // gzip stream cut short also just ends early, which callers report as truncation).
  int64_t read(uint8_t* dst, int64_t size) {
    int64_t total = 0;
    while (total < size) {
      // gzread takes an unsigned and returns an int, so feed it bounded chunks.
      const int64_t chunk = std::min<int64_t>(size - total, INT_MAX / 2);
      const int got = gzread(file_, dst + total, static_cast<unsigned>(chunk));
      if (got < 0) {
        int code = 0;
        fail("{}: cannot decompress IDX file: {}", path_.string(), gzerror(file_, &code));
      }
      if (got == 0) break;
      total += got;
    }
    return total;
  }

 private:
  fs::path path_;
  gzFile file_ = nullptr;
};

uint32_t big_endian_u32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

// Reads exactly `size` header bytes or fails with a truncation message.
void read_header_bytes(GzReader& reader, const fs::path& path, uint8_t* dst, int64_t size,
                       int64_t offset) {
  const int64_t got = reader.read(dst, size);
  if (got != size) {
    fail("{}: truncated IDX file: expected {} header bytes, got {}", path.string(), offset + size,
         offset + got);
  }
}

// Validates the 4-byte magic and returns nothing; each failure says what was expected.
void check_magic(const fs::path& path, const std::array<uint8_t, 4>& magic, int expected_ndims) {
  const uint32_t found = big_endian_u32(magic.data());
  const uint32_t expected = idx_uint8_magic(expected_ndims);
  if (magic[0] != 0 || magic[1] != 0 || magic[3] != expected_ndims) {
    fail("{}: bad IDX magic number: expected 0x{:08X} (uint8, {} dimensions), found 0x{:08X}",
         path.string(), expected, expected_ndims, found);
  }
  if (magic[2] != kUint8TypeCode) {
    fail(
        "{}: unsupported IDX element type 0x{:02X} (magic 0x{:08X}); only uint8 (0x08) is "
        "supported",
        path.string(), magic[2], found);
  }
}

// Parses the dimension sizes and returns their product, refusing absurd totals.
int64_t read_dims(GzReader& reader, const fs::path& path, int ndims, std::vector<int64_t>& dims) {
  std::vector<uint8_t> raw(static_cast<size_t>(4 * ndims));
  read_header_bytes(reader, path, raw.data(), 4 * ndims, 4);
  int64_t total = 1;
  dims.resize(static_cast<size_t>(ndims));
  for (int i = 0; i < ndims; ++i) {
    dims[static_cast<size_t>(i)] = big_endian_u32(raw.data() + 4 * i);
    total *= dims[static_cast<size_t>(i)];
    if (total > kMaxDataBytes) {
      fail("{}: IDX header declares more than {} bytes of data; the file is corrupt", path.string(),
           kMaxDataBytes);
    }
  }
  return total;
}

}  // namespace

uint32_t idx_uint8_magic(int ndims) {
  return (uint32_t{kUint8TypeCode} << 8) | static_cast<uint32_t>(ndims);
}

IdxArray read_idx_uint8(const fs::path& path, int expected_ndims) {
  GzReader reader(path);
  std::array<uint8_t, 4> magic{};
  read_header_bytes(reader, path, magic.data(), 4, 0);
  check_magic(path, magic, expected_ndims);

  IdxArray array;
  const int64_t data_bytes = read_dims(reader, path, expected_ndims, array.dims);
  array.data.resize(static_cast<size_t>(data_bytes));
  const int64_t got = reader.read(array.data.data(), data_bytes);
  if (got != data_bytes) {
    fail("{}: truncated IDX file: header promises {} data bytes, got {}", path.string(), data_bytes,
         got);
  }
  // Trailing bytes mean the header and the payload disagree; trusting either is a guess.
  uint8_t extra = 0;
  if (reader.read(&extra, 1) != 0) {
    fail("{}: IDX file has more data than the {} bytes its header declares", path.string(),
         data_bytes);
  }
  return array;
}

}  // namespace slim
