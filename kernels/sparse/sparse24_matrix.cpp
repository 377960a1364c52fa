#include "kernels/sparse/sparse24_matrix.h"

#include <algorithm>
#include <array>

#include "core/error.h"

namespace slim {
namespace {

// The columns [first, first + width) of one group of a row.
struct GroupSpan {
  int64_t first;
  int64_t width;
};

GroupSpan group_span(int64_t cols, int64_t g) {
  const int64_t first = g * kSparse24GroupSize;
  return {first, std::min(kSparse24GroupSize, cols - first)};
}

int count_group_nonzeros(const float* row, GroupSpan span) {
  int count = 0;
  for (int64_t c = 0; c < span.width; ++c) count += row[span.first + c] != 0.0f ? 1 : 0;
  return count;
}

// The two slot positions of a group: its nonzeros, then the lowest unused positions
// (possibly past a short last group), in ascending order.
std::array<int, 2> slot_positions(const float* row, GroupSpan span) {
  std::array<bool, kSparse24GroupSize> used{};
  int taken = 0;
  for (int64_t c = 0; c < span.width; ++c) {
    if (row[span.first + c] == 0.0f) continue;
    used[static_cast<size_t>(c)] = true;
    ++taken;
  }
  for (size_t p = 0; p < used.size() && taken < kSparse24KeptPerGroup; ++p) {
    if (used[p]) continue;
    used[p] = true;
    ++taken;
  }
  std::array<int, 2> slots{};
  int next = 0;
  for (size_t p = 0; p < used.size(); ++p) {
    if (used[p]) slots[static_cast<size_t>(next++)] = static_cast<int>(p);
  }
  return slots;
}

}  // namespace

int64_t sparse24_groups_per_row(int64_t cols) {
  return (cols + kSparse24GroupSize - 1) / kSparse24GroupSize;
}

int64_t sparse24_stored_bytes(int64_t rows, int64_t cols) {
  const int64_t groups = rows * sparse24_groups_per_row(cols);
  const int64_t value_bytes = groups * kSparse24KeptPerGroup * int64_t{sizeof(float)};
  const int64_t position_bytes = (groups + 1) / 2;  // one 4-bit nibble per group
  return value_bytes + position_bytes;
}

int64_t Sparse24Matrix::stored_bytes() const {
  return sparse24_stored_bytes(rows, cols);
}

bool is_2_4_sparse(const float* dense, int64_t rows, int64_t cols) {
  const int64_t groups = sparse24_groups_per_row(cols);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t g = 0; g < groups; ++g) {
      if (count_group_nonzeros(dense + r * cols, group_span(cols, g)) > kSparse24KeptPerGroup) {
        return false;
      }
    }
  }
  return true;
}

Sparse24Matrix sparse24_from_dense(const float* dense, int64_t rows, int64_t cols) {
  Sparse24Matrix matrix;
  matrix.rows = rows;
  matrix.cols = cols;
  matrix.groups = sparse24_groups_per_row(cols);
  const int64_t total_groups = rows * matrix.groups;
  matrix.values.assign(static_cast<size_t>(total_groups * kSparse24KeptPerGroup), 0.0f);
  matrix.positions.assign(static_cast<size_t>((total_groups + 1) / 2), 0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = dense + r * cols;
    for (int64_t g = 0; g < matrix.groups; ++g) {
      const GroupSpan span = group_span(cols, g);
      const int nonzeros = count_group_nonzeros(row, span);
      if (nonzeros > kSparse24KeptPerGroup) {
        fail("2:4 format: row {}, group {} (columns {}..{}) holds {} nonzeros; at most 2 allowed",
             r, g, span.first, span.first + span.width - 1, nonzeros);
      }
      const int64_t n = r * matrix.groups + g;
      const std::array<int, 2> slots = slot_positions(row, span);
      for (size_t s = 0; s < slots.size(); ++s) {
        const int64_t c = span.first + slots[s];
        matrix.values[static_cast<size_t>(n * kSparse24KeptPerGroup) + s] =
            slots[s] < span.width ? row[c] : 0.0f;
      }
      const int nibble = slots[0] | (slots[1] << 2);
      matrix.positions[static_cast<size_t>(n / 2)] |= static_cast<uint8_t>(nibble << (4 * (n % 2)));
    }
  }
  return matrix;
}

std::vector<float> sparse24_to_dense(const Sparse24Matrix& matrix) {
  std::vector<float> dense(static_cast<size_t>(matrix.rows * matrix.cols), 0.0f);
  for (int64_t r = 0; r < matrix.rows; ++r) {
    for (int64_t g = 0; g < matrix.groups; ++g) {
      const int64_t n = r * matrix.groups + g;
      for (int slot = 0; slot < 2; ++slot) {
        const int64_t c = g * kSparse24GroupSize + matrix.position(n, slot);
        const float value = matrix.values[static_cast<size_t>(n * kSparse24KeptPerGroup + slot)];
        // Filler slots hold 0 at a free position (or past a short last group).
        if (c < matrix.cols) dense[static_cast<size_t>(r * matrix.cols + c)] = value;
      }
    }
  }
  return dense;
}

}  // namespace slim
