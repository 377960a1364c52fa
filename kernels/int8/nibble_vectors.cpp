// GCC 12's AVX-512 intrinsics start some results from _mm512_undefined_epi32(), a
// deliberate self-initialisation that -Wuninitialized reports inside every caller
// (before the includes: the header's inline unpacker needs it too).
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "kernels/int8/nibble_vectors.h"

#include <fmt/format.h>

#include <stdexcept>

#include "kernels/int8/cpu_features.h"

namespace slim {
namespace {

constexpr int64_t kVectorCodes = 2 * kNibbleVectorBytes;

__attribute__((target("avx512f,avx512bw"))) void unpack_avx512(const int8_t* nibbles,
                                                               int64_t vectors, int8_t* out) {
  for (int64_t v = 0; v < vectors; ++v) {
    _mm512_storeu_si512(out + v * kVectorCodes,
                        unpack_nibble_vector(nibbles + v * kNibbleVectorBytes));
  }
}

}  // namespace

void check_int4_codes(std::string_view variant, const int8_t* codes, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    if (codes[i] < -8 || codes[i] > 7) {
      throw std::invalid_argument(fmt::format(
          "{} int8 GEMM: a 4-bit weight code outside [-8, 7] ({})", variant, int{codes[i]}));
    }
  }
}

AlignedCodes pack_nibble_vectors(const AlignedCodes& codes) {
  if (codes.size() % kVectorCodes != 0) {
    throw std::logic_error("pack_nibble_vectors: not a whole number of 64-byte vectors");
  }
  AlignedCodes nibbles(codes.size() / 2);
  for (size_t vector = 0; vector < codes.size() / kVectorCodes; ++vector) {
    const int8_t* from = codes.data() + vector * kVectorCodes;
    for (size_t j = 0; j < kNibbleVectorBytes; ++j) {
      const int low = from[j] + 8;
      const int high = from[j + kNibbleVectorBytes] + 8;
      nibbles[vector * kNibbleVectorBytes + j] = static_cast<int8_t>(low | (high << 4));
    }
  }
  return nibbles;
}

void unpack_nibble_vectors_reference(const int8_t* nibbles, int64_t vectors, int8_t* out) {
  for (int64_t v = 0; v < vectors; ++v) {
    for (int64_t j = 0; j < kNibbleVectorBytes; ++j) {
      const int byte = static_cast<uint8_t>(nibbles[v * kNibbleVectorBytes + j]);
      out[v * kVectorCodes + j] = static_cast<int8_t>((byte & 0x0F) - 8);
      out[v * kVectorCodes + j + kNibbleVectorBytes] = static_cast<int8_t>((byte >> 4) - 8);
    }
  }
}

void unpack_nibble_vectors(const int8_t* nibbles, int64_t vectors, int8_t* out) {
  static const bool avx512 = avx512_unavailable_reason().empty();
  if (avx512) {
    unpack_avx512(nibbles, vectors, out);
  } else {
    unpack_nibble_vectors_reference(nibbles, vectors, out);
  }
}

}  // namespace slim
