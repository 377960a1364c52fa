// The relative-index sparse format of Deep Compression (Han et al. 2016), encoded and
// decoded for real, so that the size core/storage/sparse_encoding.h counts for it is the
// size of a byte stream slimbench can write and read back.
//
// The tensor is flattened row-major; only kept elements are stored, each as one entry of
// (r + b) bits: a skip d in r bits, then a b-bit value field. Decoding walks a cursor p
// (the next position, starting at 0): an entry skips d positions, writes its value at p + d,
// and moves p past it. Positions no entry writes decode as 0.
//
// Filler rule. A kept element at position q, with the cursor at p, has gap g = q - p zeros
// before it. While g > 2^r - 1 the encoder emits a filler: d = 2^r - 1 and value 0, which
// writes a 0 over a pruned position and so advances the cursor by 2^r; then the element's
// own entry has d = g mod 2^r. An element therefore needs floor(g / 2^r) fillers, and
//   entries = nnz + sum over kept elements of floor(gap / 2^r)
// (zeros after the last kept element cost nothing: the decoder knows the element count).
//
// Layout: entry k occupies bits [k * (r + b), (k + 1) * (r + b)) of a little-endian bit
// stream (bit j is bit j % 8 of byte j / 8, as core/quant/packed_codes.h), skip in the low
// r bits. The stream has ceil(entries * (r + b) / 8) bytes; the padding bits are zero, and
// a zero entry decodes as a 0, so padding never changes the result.
//
// A stored 0 is what a pruned element decodes to. Symmetric quantization codes it as code
// 0; an affine code q with zero point Z is stored as (q - Z) mod 2^b, which is 0 exactly at
// the pruned elements (q = Z) and still fits b bits.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace slim {

// `fields[i]` is element i's value in its low `value_bits` bits (1..32); elements with
// keep[i] == 0 are not stored and fields there are ignored. `index_bits` is r (1..16).
// Throws std::invalid_argument on sizes or widths out of range.
std::vector<uint8_t> encode_relative_index(std::span<const uint32_t> fields,
                                           std::span<const uint8_t> keep, int value_bits,
                                           int index_bits);
// The `numel` value fields back (0 where nothing is stored). Throws std::invalid_argument
// when a non-padding entry lands past the end.
std::vector<uint32_t> decode_relative_index(std::span<const uint8_t> stream, int64_t numel,
                                            int value_bits, int index_bits);

// Signed b-bit codes (1..8 bits, two's complement fields), as quantized weights hold them.
std::vector<uint8_t> encode_relative_index_codes(std::span<const int8_t> codes,
                                                 std::span<const uint8_t> keep, int code_bits,
                                                 int index_bits);
std::vector<int8_t> decode_relative_index_codes(std::span<const uint8_t> stream, int64_t numel,
                                                int code_bits, int index_bits);

// FP32 values stored as their 32-bit patterns.
std::vector<uint8_t> encode_relative_index_fp32(std::span<const float> values,
                                                std::span<const uint8_t> keep, int index_bits);
std::vector<float> decode_relative_index_fp32(std::span<const uint8_t> stream, int64_t numel,
                                              int index_bits);

}  // namespace slim
