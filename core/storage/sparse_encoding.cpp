#include "core/storage/sparse_encoding.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace slim {
namespace {

// uint16 column indices, as kernels/sparse/csr_matrix.h (kCsrMaxCols).
constexpr int64_t kCsrMaxCols = int64_t{1} << 16;
constexpr int64_t kGroupSize = 4;     // 2:4: groups of 4 consecutive columns,
constexpr int64_t kKeptPerGroup = 2;  // each storing 2 values
constexpr int64_t kPositionBits = 2;  // and a 2-bit position (0..3) per value
constexpr int64_t kRowPointerBytes = 4;
constexpr int64_t kColumnIndexBytes = 2;

int64_t bits_to_bytes(int64_t bits) {
  return (bits + 7) / 8;
}

bool group_keeps_at_most_two(std::span<const uint8_t> row, int64_t group) {
  const int64_t begin = group * kGroupSize;
  const int64_t end = std::min(begin + kGroupSize, static_cast<int64_t>(row.size()));
  int64_t kept = 0;
  for (int64_t col = begin; col < end; ++col) kept += row[static_cast<size_t>(col)] ? 1 : 0;
  return kept <= kKeptPerGroup;
}

SparseEncoding best_relative_index(std::span<const uint8_t> keep, int64_t nonzeros,
                                   int value_bits) {
  SparseEncoding best{"relative_index", 0, nonzeros, 0};
  for (int r = kMinIndexBits; r <= kMaxIndexBits; ++r) {
    const int64_t bytes = relative_index_bytes(relative_index_entries(keep, r), value_bits, r);
    // Strictly smaller, so a tie keeps the narrower index.
    if (best.index_bits == 0 || bytes < best.bytes) {
      best.bytes = bytes;
      best.index_bits = r;
    }
  }
  return best;
}

void check_arguments(std::span<const uint8_t> keep, MatrixView view, int value_bits) {
  if (view.rows < 0 || view.cols < 0 ||
      static_cast<int64_t>(keep.size()) != view.rows * view.cols) {
    throw std::invalid_argument(fmt::format("sparse encoding: {} flags for a [{}, {}] matrix",
                                            keep.size(), view.rows, view.cols));
  }
  if (value_bits < 1 || value_bits > 32) {
    throw std::invalid_argument(
        fmt::format("sparse encoding: {}-bit values (need 1..32)", value_bits));
  }
}

}  // namespace

MatrixView matrix_view(const Shape& shape) {
  const int64_t numel = shape_numel(shape);
  if (shape.size() < 2) return {1, numel};
  if (shape[0] == 0) return {0, 0};
  return {shape[0], numel / shape[0]};
}

std::vector<uint8_t> keep_pattern(const Tensor& mask) {
  std::vector<uint8_t> keep(static_cast<size_t>(mask.numel()));
  const auto values = mask.values();
  for (size_t i = 0; i < keep.size(); ++i) keep[i] = values[i] != 0.0f ? 1 : 0;
  return keep;
}

int64_t kept_count(std::span<const uint8_t> keep) {
  return std::count_if(keep.begin(), keep.end(), [](uint8_t flag) { return flag != 0; });
}

int64_t dense_bytes(int64_t numel, int value_bits) {
  return bits_to_bytes(numel * value_bits);
}

std::optional<int64_t> csr_bytes(MatrixView view, int64_t nonzeros, int value_bits) {
  if (view.cols > kCsrMaxCols) return std::nullopt;
  return bits_to_bytes(nonzeros * value_bits) + kColumnIndexBytes * nonzeros +
         kRowPointerBytes * (view.rows + 1);
}

int64_t bitmap_bytes(int64_t numel, int64_t nonzeros, int value_bits) {
  return bits_to_bytes(numel) + bits_to_bytes(nonzeros * value_bits);
}

int64_t relative_index_entries(std::span<const uint8_t> keep, int index_bits) {
  int64_t entries = 0;
  int64_t cursor = 0;  // the position after the previous kept element
  for (size_t q = 0; q < keep.size(); ++q) {
    if (!keep[q]) continue;
    const int64_t gap = static_cast<int64_t>(q) - cursor;
    // Each filler covers 2^r positions (2^r - 1 skipped plus its own), see the codec.
    entries += 1 + (gap >> index_bits);
    cursor = static_cast<int64_t>(q) + 1;
  }
  return entries;
}

int64_t relative_index_bytes(int64_t entries, int value_bits, int index_bits) {
  return bits_to_bytes(entries * (value_bits + index_bits));
}

std::optional<int64_t> sparse24_bytes(std::span<const uint8_t> keep, MatrixView view,
                                      int value_bits) {
  const int64_t groups = (view.cols + kGroupSize - 1) / kGroupSize;
  for (int64_t row = 0; row < view.rows; ++row) {
    const auto row_flags =
        keep.subspan(static_cast<size_t>(row * view.cols), static_cast<size_t>(view.cols));
    for (int64_t group = 0; group < groups; ++group) {
      if (!group_keeps_at_most_two(row_flags, group)) return std::nullopt;
    }
  }
  const int64_t slots = view.rows * groups * kKeptPerGroup;
  return bits_to_bytes(slots * value_bits) + bits_to_bytes(slots * kPositionBits);
}

std::vector<SparseEncoding> candidate_encodings(std::span<const uint8_t> keep, MatrixView view,
                                                int value_bits) {
  check_arguments(keep, view, value_bits);
  const int64_t numel = view.rows * view.cols;
  const int64_t nonzeros = kept_count(keep);
  std::vector<SparseEncoding> candidates;
  candidates.push_back({"dense", dense_bytes(numel, value_bits), nonzeros, 0});
  if (auto bytes = sparse24_bytes(keep, view, value_bits)) {
    candidates.push_back({"2:4", *bytes, nonzeros, 0});
  }
  if (auto bytes = csr_bytes(view, nonzeros, value_bits)) {
    candidates.push_back({"csr", *bytes, nonzeros, 0});
  }
  candidates.push_back({"bitmap", bitmap_bytes(numel, nonzeros, value_bits), nonzeros, 0});
  candidates.push_back(best_relative_index(keep, nonzeros, value_bits));
  return candidates;
}

SparseEncoding cheapest_encoding(std::span<const uint8_t> keep, MatrixView view, int value_bits) {
  const std::vector<SparseEncoding> candidates = candidate_encodings(keep, view, value_bits);
  // min_element returns the first of equal minima: the tie order of the candidates.
  return *std::min_element(
      candidates.begin(), candidates.end(),
      [](const SparseEncoding& a, const SparseEncoding& b) { return a.bytes < b.bytes; });
}

nlohmann::json describe(const SparseEncoding& encoding) {
  nlohmann::json out = {
      {"format", encoding.format}, {"bytes", encoding.bytes}, {"nonzeros", encoding.nonzeros}};
  if (encoding.format == "relative_index") out["index_bits"] = encoding.index_bits;
  return out;
}

}  // namespace slim
