#include "core/quant/packed_codes.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "core/rng.h"

namespace slim {
namespace {

std::vector<int8_t> random_codes(int bits, int64_t count, uint64_t seed) {
  const int lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
  Rng rng(seed);
  std::vector<int8_t> codes(static_cast<size_t>(count));
  for (auto& c : codes) {
    c = static_cast<int8_t>(lo +
                            static_cast<int>(rng.next_u64() % static_cast<uint64_t>(hi - lo + 1)));
  }
  // The range's ends are where sign extension goes wrong, so always include them.
  codes[0] = static_cast<int8_t>(lo);
  codes[1] = static_cast<int8_t>(hi);
  return codes;
}

TEST_CASE("packed codes round-trip at every width from 2 to 8 bits", "[methods][quantization]") {
  for (int bits = 2; bits <= 8; ++bits) {
    for (int64_t count : {2, 3, 7, 8, 9, 1001}) {
      const std::vector<int8_t> codes =
          random_codes(bits, count, static_cast<uint64_t>(bits * 1000 + count));
      const std::vector<uint8_t> packed = pack_codes(codes, bits);
      INFO("bits " << bits << " count " << count << " packed bytes " << packed.size());
      CHECK(static_cast<int64_t>(packed.size()) == (count * bits + 7) / 8);
      CHECK(packed_size_bytes(count, bits) == static_cast<int64_t>(packed.size()));
      CHECK(unpack_codes(packed, bits, count) == codes);
    }
  }
}

TEST_CASE("4-bit codes pack two per byte low nibble first", "[methods][quantization]") {
  const std::vector<int8_t> codes = {1, -1, 7, -8};
  const std::vector<uint8_t> packed = pack_codes(codes, 4);
  REQUIRE(packed.size() == 2);
  CHECK(packed[0] == 0xF1);  // -1 = 0xF in the high nibble, 1 in the low one
  CHECK(packed[1] == 0x87);  // -8 = 0x8, 7 = 0x7
}

}  // namespace
}  // namespace slim
