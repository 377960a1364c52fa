// Test helper: builds IDX bytes and writes them plain or gzipped, so tests can make
// well-formed, truncated or corrupt files without shipping fixtures.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace slim::testing {

// Header (magic with `type_code`, big-endian dims) followed by `data`.
std::vector<uint8_t> idx_bytes(const std::vector<int64_t>& dims, std::span<const uint8_t> data,
                               uint8_t type_code = 0x08);

// Writes `bytes` to `path`, through gzip when `gzip` is set.
void write_file(const std::filesystem::path& path, std::span<const uint8_t> bytes, bool gzip);

}  // namespace slim::testing
