// The exact stored size of a pruned tensor in each sparse format slimbench counts, and the
// choice of the cheapest one: what size accounting (core/model_size.h) reports for a
// parameter with a pruning mask.
//
// The tensor is viewed as a [rows, cols] row-major matrix: rows = axis 0 (the output
// channel), cols = every other axis flattened; a rank-1 tensor is one row. `keep` holds one
// flag per element (nonzero = kept), and every kept value is stored in `value_bits` bits:
// 32 for FP32, b for b-bit quantization codes. Shapes and format parameters (r, the
// format's name) are not counted, as for every format: a loader knows them from the graph.
//
//   dense           ceil(rows*cols*bits / 8)
//   csr             ceil(nnz*bits / 8) + 2*nnz (uint16 column) + 4*(rows + 1) (int32 row
//                   pointers); refused when cols > 65536. At 32 bits this is
//                   kernels/sparse/csr_matrix.h's csr_stored_bytes.
//   bitmap          ceil(rows*cols / 8) (one bit per element) + ceil(nnz*bits / 8)
//   relative_index  Han et al. 2016's (code, relative index) pairs over the flattened
//                   tensor, ceil(entries*(bits + r) / 8), with r in 1..8 chosen to
//                   minimise the size; entries = nnz + fillers, the filler rule is in
//                   core/storage/relative_index_codec.h, which encodes and decodes it.
//   2:4             only when each group of 4 consecutive columns of a row (the last one
//                   possibly shorter; groups = ceil(cols / 4)) keeps at most 2: every group
//                   stores 2 values (padded) and 2 bits of position per value,
//                   ceil(rows*groups*2*bits / 8) + ceil(rows*groups*4 / 8). At 32 bits
//                   this is kernels/sparse/sparse24_matrix.h's sparse24_stored_bytes,
//                   8*rows*groups + ceil(rows*groups / 2).
//
// The cheapest format wins; on a tie the earlier one in the order dense, 2:4, csr, bitmap,
// relative_index (simplest to execute first). Dense is always a candidate, so a mask never
// makes a tensor count more than it would unpruned.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace slim {

struct SparseEncoding {
  std::string format;  // "dense", "2:4", "csr", "bitmap" or "relative_index"
  int64_t bytes = 0;
  int64_t nonzeros = 0;  // kept elements
  int index_bits = 0;    // r, for relative_index; 0 otherwise
};

// The [rows, cols] view of a tensor of this shape (see above).
struct MatrixView {
  int64_t rows = 0;
  int64_t cols = 0;
};
MatrixView matrix_view(const Shape& shape);

// One flag per element: 1 where `mask` is nonzero.
std::vector<uint8_t> keep_pattern(const Tensor& mask);

int64_t kept_count(std::span<const uint8_t> keep);

int64_t dense_bytes(int64_t numel, int value_bits);
// Empty when cols > 65536 (uint16 column indices).
std::optional<int64_t> csr_bytes(MatrixView view, int64_t nonzeros, int value_bits);
int64_t bitmap_bytes(int64_t numel, int64_t nonzeros, int value_bits);
// Entries (kept elements plus fillers) the relative-index format needs with r index bits.
int64_t relative_index_entries(std::span<const uint8_t> keep, int index_bits);
int64_t relative_index_bytes(int64_t entries, int value_bits, int index_bits);
// Empty unless every group of 4 consecutive columns keeps at most 2.
std::optional<int64_t> sparse24_bytes(std::span<const uint8_t> keep, MatrixView view,
                                      int value_bits);

inline constexpr int kMinIndexBits = 1;
inline constexpr int kMaxIndexBits = 8;

// Every format that can hold this pattern (relative_index at its best r), in tie order.
// Throws std::invalid_argument when keep.size() != rows * cols or value_bits is not 1..32.
std::vector<SparseEncoding> candidate_encodings(std::span<const uint8_t> keep, MatrixView view,
                                                int value_bits);
SparseEncoding cheapest_encoding(std::span<const uint8_t> keep, MatrixView view, int value_bits);

nlohmann::json describe(const SparseEncoding& encoding);

}  // namespace slim
