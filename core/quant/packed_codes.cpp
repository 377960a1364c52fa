#include "core/quant/packed_codes.h"

#include <cassert>

namespace slim {

int64_t packed_size_bytes(int64_t count, int bits) {
  return (count * bits + 7) / 8;
}

std::vector<uint8_t> pack_codes(std::span<const int8_t> codes, int bits) {
  assert(bits >= 2 && bits <= 8);
  const auto count = static_cast<int64_t>(codes.size());
  std::vector<uint8_t> packed(static_cast<size_t>(packed_size_bytes(count, bits)), 0);
  const unsigned field_mask = (1u << bits) - 1u;
  for (int64_t i = 0; i < count; ++i) {
    const unsigned field = static_cast<unsigned>(static_cast<uint8_t>(codes[i])) & field_mask;
    for (int b = 0; b < bits; ++b) {
      const int64_t bit = i * bits + b;
      if ((field >> b) & 1u) packed[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
    }
  }
  return packed;
}

std::vector<int8_t> unpack_codes(std::span<const uint8_t> packed, int bits, int64_t count) {
  assert(bits >= 2 && bits <= 8);
  std::vector<int8_t> codes(static_cast<size_t>(count));
  const unsigned sign_bit = 1u << (bits - 1);
  for (int64_t i = 0; i < count; ++i) {
    unsigned field = 0;
    for (int b = 0; b < bits; ++b) {
      const int64_t bit = i * bits + b;
      field |= ((packed[bit / 8] >> (bit % 8)) & 1u) << b;
    }
    // Sign-extend the b-bit two's-complement field.
    const int value = static_cast<int>(field ^ sign_bit) - static_cast<int>(sign_bit);
    codes[i] = static_cast<int8_t>(value);
  }
  return codes;
}

}  // namespace slim
