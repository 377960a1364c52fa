#include "core/storage/relative_index_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <utility>

namespace slim {
namespace {

constexpr int kMaxCodecIndexBits = 16;

void check_widths(int value_bits, int index_bits) {
  if (value_bits < 1 || value_bits > 32 || index_bits < 1 || index_bits > kMaxCodecIndexBits) {
    throw std::invalid_argument(
        fmt::format("relative index: {} value bits and {} index bits (need 1..32 and 1..{})",
                    value_bits, index_bits, kMaxCodecIndexBits));
  }
}

uint64_t low_bits(int bits) {
  return (uint64_t{1} << bits) - 1u;
}

// Appends fields of up to 48 bits to a little-endian bit stream.
class BitWriter {
 public:
  void write(uint64_t field, int bits) {
    pending_ |= (field & low_bits(bits)) << pending_bits_;
    pending_bits_ += bits;
    while (pending_bits_ >= 8) {
      bytes_.push_back(static_cast<uint8_t>(pending_ & 0xFFu));
      pending_ >>= 8;
      pending_bits_ -= 8;
    }
  }
  // The stream, its last byte padded with zero bits.
  std::vector<uint8_t> finish() && {
    if (pending_bits_ > 0) bytes_.push_back(static_cast<uint8_t>(pending_ & 0xFFu));
    return std::move(bytes_);
  }

 private:
  std::vector<uint8_t> bytes_;
  uint64_t pending_ = 0;
  int pending_bits_ = 0;
};

// Reads fields of up to 48 bits from a little-endian bit stream.
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  int64_t bits_left() const { return static_cast<int64_t>(bytes_.size()) * 8 - position_; }
  uint64_t read(int bits) {
    uint64_t field = 0;
    for (int got = 0; got < bits;) {
      const int64_t byte = position_ / 8;
      const int offset = static_cast<int>(position_ % 8);
      const int take = std::min(bits - got, 8 - offset);
      const uint64_t chunk = (bytes_[static_cast<size_t>(byte)] >> offset) & low_bits(take);
      field |= chunk << got;
      got += take;
      position_ += take;
    }
    return field;
  }

 private:
  std::span<const uint8_t> bytes_;
  int64_t position_ = 0;
};

}  // namespace

std::vector<uint8_t> encode_relative_index(std::span<const uint32_t> fields,
                                           std::span<const uint8_t> keep, int value_bits,
                                           int index_bits) {
  check_widths(value_bits, index_bits);
  if (fields.size() != keep.size()) {
    throw std::invalid_argument("relative index: values and keep pattern differ in size");
  }
  const int64_t max_skip = static_cast<int64_t>(low_bits(index_bits));
  BitWriter writer;
  int64_t cursor = 0;  // the next position the decoder will write
  for (size_t q = 0; q < keep.size(); ++q) {
    if (!keep[q]) continue;
    int64_t gap = static_cast<int64_t>(q) - cursor;
    // A filler skips the most the index can say and writes a 0 over one more pruned slot.
    while (gap > max_skip) {
      writer.write(static_cast<uint64_t>(max_skip), index_bits);
      writer.write(0, value_bits);
      gap -= max_skip + 1;
    }
    writer.write(static_cast<uint64_t>(gap), index_bits);
    writer.write(fields[q], value_bits);
    cursor = static_cast<int64_t>(q) + 1;
  }
  return std::move(writer).finish();
}

std::vector<uint32_t> decode_relative_index(std::span<const uint8_t> stream, int64_t numel,
                                            int value_bits, int index_bits) {
  check_widths(value_bits, index_bits);
  std::vector<uint32_t> fields(static_cast<size_t>(numel), 0u);
  BitReader reader(stream);
  const int entry_bits = index_bits + value_bits;
  int64_t cursor = 0;
  while (reader.bits_left() >= entry_bits) {
    const auto skip = static_cast<int64_t>(reader.read(index_bits));
    const auto value = static_cast<uint32_t>(reader.read(value_bits));
    const int64_t position = cursor + skip;
    if (position >= numel) {
      // Zero padding at the end of the last byte may read as a whole entry: a harmless 0.
      if (skip == 0 && value == 0) break;
      throw std::invalid_argument(
          fmt::format("relative index: an entry lands at {} of {} elements", position, numel));
    }
    fields[static_cast<size_t>(position)] = value;
    cursor = position + 1;
  }
  return fields;
}

std::vector<uint8_t> encode_relative_index_codes(std::span<const int8_t> codes,
                                                 std::span<const uint8_t> keep, int code_bits,
                                                 int index_bits) {
  if (code_bits < 1 || code_bits > 8) {
    throw std::invalid_argument(fmt::format("relative index: {}-bit codes (need 1..8)", code_bits));
  }
  std::vector<uint32_t> fields(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    fields[i] = static_cast<uint32_t>(static_cast<uint8_t>(codes[i])) &
                static_cast<uint32_t>(low_bits(code_bits));
  }
  return encode_relative_index(fields, keep, code_bits, index_bits);
}

std::vector<int8_t> decode_relative_index_codes(std::span<const uint8_t> stream, int64_t numel,
                                                int code_bits, int index_bits) {
  if (code_bits < 1 || code_bits > 8) {
    throw std::invalid_argument(fmt::format("relative index: {}-bit codes (need 1..8)", code_bits));
  }
  const std::vector<uint32_t> fields = decode_relative_index(stream, numel, code_bits, index_bits);
  const int32_t sign_bit = int32_t{1} << (code_bits - 1);
  std::vector<int8_t> codes(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    // Two's complement sign extension of a b-bit field.
    const auto field = static_cast<int32_t>(fields[i]);
    codes[i] = static_cast<int8_t>((field ^ sign_bit) - sign_bit);
  }
  return codes;
}

std::vector<uint8_t> encode_relative_index_fp32(std::span<const float> values,
                                                std::span<const uint8_t> keep, int index_bits) {
  std::vector<uint32_t> fields(values.size());
  for (size_t i = 0; i < values.size(); ++i) fields[i] = std::bit_cast<uint32_t>(values[i]);
  return encode_relative_index(fields, keep, 32, index_bits);
}

std::vector<float> decode_relative_index_fp32(std::span<const uint8_t> stream, int64_t numel,
                                              int index_bits) {
  const std::vector<uint32_t> fields = decode_relative_index(stream, numel, 32, index_bits);
  std::vector<float> values(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) values[i] = std::bit_cast<float>(fields[i]);
  return values;
}

}  // namespace slim
