// The sparse weight formats (kernels/sparse/): exact contents and stored bytes on
// hand-computed matrices, round trips on random ones, and the 2:4 builder's refusal.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "kernels/sparse/csr_matrix.h"
#include "kernels/sparse/sparse24_matrix.h"
#include "tests/kernels/sparse_test_weights.h"

namespace slim::testing {
namespace {

std::vector<float> values_of(const AlignedFloats& values) {
  return {values.begin(), values.end()};
}

}  // namespace

TEST_CASE("CSR holds a hand-checked matrix and counts its bytes exactly", "[sparse]") {
  // clang-format off
  const std::vector<float> dense = {0, 2, 0, 0, -1,
                                    0, 0, 0, 0,  0,
                                    4, 0, 5, 0,  0};
  // clang-format on
  const CsrMatrix csr = csr_from_dense(dense.data(), 3, 5);
  CHECK(csr.row_ptr == std::vector<int32_t>{0, 2, 2, 4});
  CHECK(csr.col_idx == std::vector<uint16_t>{1, 4, 0, 2});
  CHECK(values_of(csr.values) == std::vector<float>{2, -1, 4, 5});
  // 4 nonzeros x (4-byte value + 2-byte index) + 4 row pointers x 4 bytes = 24 + 16.
  CHECK(csr.stored_bytes() == 40);
  CHECK(csr_to_dense(csr) == dense);
}

TEST_CASE("CSR of an all-zero and of a dense matrix", "[sparse]") {
  const std::vector<float> zeros(12, 0.0f);
  const CsrMatrix empty = csr_from_dense(zeros.data(), 4, 3);
  CHECK(empty.nonzeros() == 0);
  CHECK(empty.row_ptr == std::vector<int32_t>(5, 0));
  CHECK(empty.stored_bytes() == 5 * 4);
  const std::vector<float> full = random_sparse(7, 9, 0.0f, 3);
  const CsrMatrix csr = csr_from_dense(full.data(), 7, 9);
  CHECK(csr.nonzeros() == 63);
  CHECK(csr.stored_bytes() == 63 * 6 + 8 * 4);
  CHECK(csr_to_dense(csr) == full);
}

TEST_CASE("CSR round-trips random matrices and refuses too many columns", "[sparse]") {
  for (const float sparsity : {0.0f, 0.5f, 0.9f, 1.0f}) {
    const std::vector<float> dense = random_sparse(13, 37, sparsity, 11);
    const CsrMatrix csr = csr_from_dense(dense.data(), 13, 37);
    CHECK(csr_to_dense(csr) == dense);
    CHECK(csr.stored_bytes() == csr_stored_bytes(13, csr.nonzeros()));
  }
  const std::vector<float> wide(static_cast<size_t>(kCsrMaxCols + 1), 1.0f);
  CHECK_THROWS_AS(csr_from_dense(wide.data(), 1, kCsrMaxCols + 1), UserError);
}

TEST_CASE("2:4 holds a hand-checked padded matrix and counts its bytes exactly", "[sparse]") {
  // 6 columns: groups [0, 4) and a short last group [4, 6), padded to 4.
  // clang-format off
  const std::vector<float> dense = {1, 0, 0, 2,  0, 3,
                                    0, 0, 0, 0,  0, 0,
                                    0, 5, 6, 0,  7, 0};
  // clang-format on
  const Sparse24Matrix m = sparse24_from_dense(dense.data(), 3, 6);
  CHECK(m.groups == 2);
  // Slots per group, fillers (value 0) at the lowest free positions.
  CHECK(values_of(m.values) == std::vector<float>{1, 2, 0, 3, 0, 0, 0, 0, 5, 6, 7, 0});
  // Nibbles (slot 0 | slot 1 << 2), two groups per byte, low nibble first:
  // (0,3)=0xC (0,1)=0x4 | (0,1)=0x4 (0,1)=0x4 | (1,2)=0x9 (0,1)=0x4.
  CHECK(m.positions == std::vector<uint8_t>{0x4C, 0x44, 0x49});
  // 6 groups x 2 values x 4 bytes + 6 nibbles = 48 + 3.
  CHECK(m.stored_bytes() == 51);
  CHECK(sparse24_to_dense(m) == dense);
}

TEST_CASE("2:4 counts an odd number of groups and pads a one-column group", "[sparse]") {
  // 5 columns: the last group has one real column; its filler slot points past it.
  const std::vector<float> dense = {0, 0, 0, 0, 9};
  const Sparse24Matrix m = sparse24_from_dense(dense.data(), 1, 5);
  CHECK(values_of(m.values) == std::vector<float>{0, 0, 9, 0});
  CHECK(m.positions == std::vector<uint8_t>{0x44});
  // 2 groups x 2 x 4 bytes + 2 nibbles in one byte.
  CHECK(m.stored_bytes() == 17);
  CHECK(sparse24_to_dense(m) == dense);
  // 3 rows x 1 group = 3 nibbles -> 2 bytes.
  CHECK(sparse24_stored_bytes(3, 4) == 3 * 2 * 4 + 2);
}

TEST_CASE("2:4 round-trips pruned random matrices of every column remainder", "[sparse]") {
  for (const int64_t cols : {1, 2, 3, 4, 5, 6, 7, 8, 13, 30, 784}) {
    for (const float sparsity : {0.0f, 0.5f, 0.9f, 1.0f}) {
      std::vector<float> dense = random_sparse(5, cols, sparsity, 40 + static_cast<uint64_t>(cols));
      prune_2_4(dense, 5, cols);
      INFO("cols " << cols << ", sparsity " << sparsity);
      REQUIRE(is_2_4_sparse(dense.data(), 5, cols));
      const Sparse24Matrix m = sparse24_from_dense(dense.data(), 5, cols);
      CHECK(sparse24_to_dense(m) == dense);
      CHECK(m.stored_bytes() == sparse24_stored_bytes(5, cols));
    }
  }
}

TEST_CASE("2:4 refuses a group with three nonzeros and names it", "[sparse]") {
  // Row 1's short last group (columns 4..6) holds 3 nonzeros.
  // clang-format off
  const std::vector<float> dense = {1, 1, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 1, 2, 3};
  // clang-format on
  CHECK_FALSE(is_2_4_sparse(dense.data(), 2, 7));
  try {
    sparse24_from_dense(dense.data(), 2, 7);
    FAIL("a group with 3 nonzeros was accepted");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()) ==
          "2:4 format: row 1, group 1 (columns 4..6) holds 3 nonzeros; at most 2 allowed");
  }
  const std::vector<float> dense_row(8, 1.0f);
  CHECK_FALSE(is_2_4_sparse(dense_row.data(), 1, 8));
}

}  // namespace slim::testing
