// 4-bit codes as nibbles (kernels/int8/nibble_vectors.h): packing then unpacking gives the
// codes back, the AVX-512 unpacker equals the plain one on every byte value, and codes
// outside [-8, 7] are refused with the variant's name.
#include <catch2/catch.hpp>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "core/rng.h"
#include "kernels/int8/cpu_features.h"
#include "kernels/int8/nibble_vectors.h"
#include "tests/cuda/skip.h"

namespace slim {
namespace {

AlignedCodes random_int4_codes(int64_t vectors, Rng& rng) {
  AlignedCodes codes(static_cast<size_t>(vectors * 64));
  for (int8_t& code : codes) code = static_cast<int8_t>(static_cast<int>(rng.below(16)) - 8);
  return codes;
}

TEST_CASE("nibble vectors: packing halves the bytes and unpacking restores the codes", "[int8]") {
  Rng rng(41);
  const AlignedCodes codes = random_int4_codes(37, rng);
  const AlignedCodes nibbles = pack_nibble_vectors(codes);
  REQUIRE(nibbles.size() == codes.size() / 2);
  std::vector<int8_t> back(codes.size(), 99);
  unpack_nibble_vectors_reference(nibbles.data(), 37, back.data());
  CHECK(std::vector<int8_t>(codes.begin(), codes.end()) == back);
  std::fill(back.begin(), back.end(), int8_t{99});
  unpack_nibble_vectors(nibbles.data(), 37, back.data());  // the dispatched one
  CHECK(std::vector<int8_t>(codes.begin(), codes.end()) == back);
  // Code j sits in the low nibble of byte j, code j + 32 in the high one, offset by 8.
  AlignedCodes one(64, 0);
  one[3] = -8;
  one[35] = 7;
  CHECK(static_cast<uint8_t>(pack_nibble_vectors(one)[3]) == 0xF0);
  AlignedCodes ragged(65, 0);
  CHECK_THROWS_AS(pack_nibble_vectors(ragged), std::logic_error);
}

TEST_CASE("nibble vectors: the AVX-512 unpacker equals the plain one on every byte",
          "[int8][int8_dispatch]") {
  if (const std::string reason = avx512_unavailable_reason(); !reason.empty()) {
    test::skip_test("AVX-512 nibble unpacking", reason);
  }
  // Every byte value 0..255 appears in each position of the 32-byte group.
  std::vector<int8_t> nibbles(256 * 32);
  for (size_t i = 0; i < nibbles.size(); ++i) {
    nibbles[i] = static_cast<int8_t>((i / 32 + i % 32 * 7) % 256);
  }
  std::vector<int8_t> want(nibbles.size() * 2), got(nibbles.size() * 2, 99);
  unpack_nibble_vectors_reference(nibbles.data(), 256, want.data());
  unpack_nibble_vectors(nibbles.data(), 256, got.data());
  CHECK(got == want);
}

TEST_CASE("nibble vectors: a code outside [-8, 7] is refused with the variant's name", "[int8]") {
  const std::vector<int8_t> codes = {0, 7, -8, 8};
  CHECK_NOTHROW(check_int4_codes("avx2", codes.data(), 3));
  CHECK_THROWS_WITH(check_int4_codes("amx", codes.data(), 4),
                    Catch::Contains("amx") && Catch::Contains("[-8, 7]"));
}

}  // namespace
}  // namespace slim
