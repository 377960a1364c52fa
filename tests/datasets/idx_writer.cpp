#include "tests/datasets/idx_writer.h"

#include <zlib.h>

#include <fstream>
#include <stdexcept>

namespace slim::testing {

std::vector<uint8_t> idx_bytes(const std::vector<int64_t>& dims, std::span<const uint8_t> data,
                               uint8_t type_code) {
  std::vector<uint8_t> bytes{0, 0, type_code, static_cast<uint8_t>(dims.size())};
  for (int64_t dim : dims) {
    const auto d = static_cast<uint32_t>(dim);
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(d >> shift));
  }
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

void write_file(const std::filesystem::path& path, std::span<const uint8_t> bytes, bool gzip) {
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    if (file == nullptr) throw std::runtime_error("cannot create " + path.string());
    const int written = gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    const int closed = gzclose(file);
    if (written != static_cast<int>(bytes.size()) || closed != Z_OK) {
      throw std::runtime_error("cannot write " + path.string());
    }
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace slim::testing
