// 4-bit weight codes held as nibbles, for the int8 GEMM variants' pack_int4.
//
// Weights are packed as 64-byte vectors of int8 codes (a VNNI panel's four k of 16
// columns, a row of an AMX tile). Each vector halves into 32 bytes: byte j holds code j in
// its low nibble and code j + 32 in its high one, both offset by 8 into [0, 15]. So any
// layout built of 64-byte vectors keeps its shape at half the bytes, and one AVX-512
// sequence restores a vector: a 256-bit load broadcast to both halves, a variable 16-bit
// shift (0 for the low half, 4 for the high), a mask and a subtraction of 8.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/aligned_allocator.h"

namespace slim {

using AlignedCodes = std::vector<int8_t, AlignedAllocator<int8_t, 64>>;

inline constexpr int64_t kNibbleVectorBytes = 32;  // one 64-code vector as nibbles

// Throws std::invalid_argument naming `variant` when a code lies outside [-8, 7].
void check_int4_codes(std::string_view variant, const int8_t* codes, int64_t count);

// codes: whole 64-byte vectors (codes.size() a multiple of 64) -> half as many bytes.
AlignedCodes pack_nibble_vectors(const AlignedCodes& codes);

// `vectors` vectors of nibbles -> vectors * 64 int8 codes at `out`: AVX-512 where the CPU
// has it, else plain loops (unpack_nibble_vectors_reference).
void unpack_nibble_vectors(const int8_t* nibbles, int64_t vectors, int8_t* out);
void unpack_nibble_vectors_reference(const int8_t* nibbles, int64_t vectors, int8_t* out);

// One stretch of nibble vectors unpacked to int8, for a thread that multiplies the same
// weights many times within one product (the VNNI panels of a panel pair, the AMX tiles of a
// column block). `key` names the stretch within the product; the key says nothing about
// which weights it came from, so reset() at the start of every product.
class UnpackedNibbles {
 public:
  void reset() { key_ = -1; }
  // The int8 codes of `vectors` vectors at `nibbles`, unpacked unless `key` is the last
  // stretch unpacked since reset().
  const int8_t* codes(int64_t key, const int8_t* nibbles, int64_t vectors) {
    if (key != key_) {
      codes_.resize(static_cast<size_t>(vectors * 2 * kNibbleVectorBytes));
      unpack_nibble_vectors(nibbles, vectors, codes_.data());
      key_ = key;
    }
    return codes_.data();
  }

 private:
  int64_t key_ = -1;
  AlignedCodes codes_;
};

// One vector, in registers, for micro-kernels compiled for AVX-512 BW.
__attribute__((target("avx512f,avx512bw"), always_inline)) inline __m512i unpack_nibble_vector(
    const int8_t* nibbles) {
  const __m512i halves =
      _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(nibbles)));
  const __m512i shifts = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(4), 1);
  const __m512i codes = _mm512_and_si512(_mm512_srlv_epi16(halves, shifts), _mm512_set1_epi8(0x0F));
  return _mm512_sub_epi8(codes, _mm512_set1_epi8(8));
}

}  // namespace slim
