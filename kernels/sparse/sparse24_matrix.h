// Sparse24Matrix: a Linear weight W [rows = out, cols = in] in compressed 2:4 form.
//
// Each row is cut into groups of 4 consecutive weights along the input dimension; a
// valid 2:4 matrix has at most 2 nonzeros per group. Every group keeps exactly 2 slots:
//   values     [rows, groups * 2] FP32, slot 0 then slot 1 of each group
//   positions  2 bits per slot (0..3, the column within the group), packed: group
//              n = row * groups + g is the 4-bit nibble at bits 4 * (n % 2) of byte
//              n / 2, slot 0 in its low 2 bits. Slots are in ascending position order.
// A group with fewer than 2 nonzeros fills its free slots with value 0 at the lowest
// unused positions.
//
// cols % 4 != 0 is padded, not refused: groups = ceil(cols / 4), and the last group of a
// row has cols % 4 real columns. A filler slot there may point past the last column
// (value 0); the kernels never read the input at such a position.
//
// Stored bytes, exactly: 4 * rows * groups * 2 (values) + ceil(rows * groups / 2)
// (positions, packed across row boundaries).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/sparse/aligned_floats.h"

namespace slim {

inline constexpr int64_t kSparse24GroupSize = 4;
inline constexpr int64_t kSparse24KeptPerGroup = 2;

struct Sparse24Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t groups = 0;  // per row: ceil(cols / 4)
  AlignedFloats values;
  std::vector<uint8_t> positions;

  // Position (0..3) of `slot` (0 or 1) of group `group_index` = row * groups + g.
  int position(int64_t group_index, int slot) const {
    const int nibble =
        (positions[static_cast<size_t>(group_index / 2)] >> (4 * (group_index % 2))) & 0xF;
    return (nibble >> (2 * slot)) & 3;
  }
  int64_t stored_bytes() const;
};

int64_t sparse24_groups_per_row(int64_t cols);
// The exact stored size of a [rows, cols] matrix in 2:4 form.
int64_t sparse24_stored_bytes(int64_t rows, int64_t cols);

// True when every group of 4 (the last one possibly shorter) holds at most 2 nonzeros.
bool is_2_4_sparse(const float* dense, int64_t rows, int64_t cols);

// Throws UserError naming the first row and group with more than 2 nonzeros.
Sparse24Matrix sparse24_from_dense(const float* dense, int64_t rows, int64_t cols);

// The dense [rows, cols] matrix back (tests and debugging).
std::vector<float> sparse24_to_dense(const Sparse24Matrix& matrix);

}  // namespace slim
