// Signed integer codes of 2..8 bits packed densely into bytes, the way sub-8-bit weights
// are stored on disk and counted in sizes. Code i occupies bits [i*b, (i+1)*b) of the
// little-endian bit stream, in two's complement.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace slim {

std::vector<uint8_t> pack_codes(std::span<const int8_t> codes, int bits);
std::vector<int8_t> unpack_codes(std::span<const uint8_t> packed, int bits, int64_t count);
int64_t packed_size_bytes(int64_t count, int bits);

}  // namespace slim
