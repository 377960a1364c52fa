// The AVX-512 VNNI variant: vpdpbusd, 64 multiply-adds per instruction.
//
// vpdpbusd multiplies unsigned bytes of its first source with signed bytes of its second,
// adds each group of four products to an int32 lane, and does not saturate (vpdpbusds
// would). It has no signed x signed form, so A is shifted to unsigned:
//   sum_k a_k b_k = sum_k (a_k + 128) b_k - 128 sum_k b_k,
// where a + 128 in [0, 255] is a ^ 0x80 and sum_k b_k is computed once per column when B
// is packed. Every lane then holds at most K * 255 * 128 < 2^31 for K < 2^16: exact.
//
// Layout: B in panels of 16 columns; per group of four k, the 16 columns' four bytes,
// i.e. 64 bytes = one zmm. The micro-kernel keeps up to 8 rows x 32 columns of C in 16
// accumulators and, per group of four k, loads two B vectors and broadcasts four bytes of
// A per row.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "kernels/int8/cpu_features.h"
#include "kernels/int8/for_each_block.h"
#include "kernels/int8/gemm_s8_kernel.h"

// GCC 12's AVX-512 intrinsics start some results from _mm512_undefined_epi32(), a
// deliberate self-initialisation that -Wuninitialized reports inside every caller.
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace slim {
namespace {

constexpr std::string_view kName = "avx512_vnni";
constexpr int64_t kPanelColumns = 16;
constexpr int kMaxRows = 8;
constexpr int64_t kParallelMacs = int64_t{1} << 18;

int64_t quad_depth(int64_t k) {
  return (k + 3) / 4 * 4;
}
int64_t panel_count(int64_t n) {
  return (n + kPanelColumns - 1) / kPanelColumns;
}

PackedS8Weights pack_quads(int64_t n, int64_t k, const int8_t* b) {
  PackedS8Weights packed;
  packed.n = n;
  packed.k = k;
  packed.kernel = kName;
  const int64_t depth = quad_depth(k);
  const int64_t panels = panel_count(n);
  packed.data.assign(static_cast<size_t>(panels * depth * kPanelColumns), 0);
  packed.column_corrections.assign(static_cast<size_t>(panels * kPanelColumns), 0);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t p = j / kPanelColumns;
    const int64_t col = j % kPanelColumns;
    int32_t sum = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int64_t quad = kk / 4;
      packed.data[static_cast<size_t>(((p * (depth / 4) + quad) * kPanelColumns + col) * 4 +
                                      kk % 4)] = b[j * k + kk];
      sum += b[j * k + kk];
    }
    packed.column_corrections[static_cast<size_t>(j)] = 128 * sum;
  }
  return packed;
}

// a [m x k] -> [m x depth] of a + 128 as unsigned bytes; the padding meets zero weights.
// 64 bytes per step with masked loads and stores: a byte loop here took 12% of lenet-5's
// int8 inference at batch 256, on conv1's 25-byte rows.
__attribute__((target("avx512f,avx512bw"))) void shift_rows(int64_t m, int64_t k, const int8_t* a,
                                                            uint8_t* out) {
  const int64_t depth = quad_depth(k);
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const auto first_bytes = [](int64_t count) {
    return count >= 64 ? ~__mmask64{0} : (__mmask64{1} << std::max<int64_t>(count, 0)) - 1;
  };
  for (int64_t i = 0; i < m; ++i) {
    const int8_t* row = a + i * k;
    uint8_t* shifted = out + i * depth;
    for (int64_t p = 0; p < depth; p += 64) {
      const __mmask64 valid = first_bytes(k - p);
      const __m512i codes = _mm512_maskz_loadu_epi8(valid, row + p);
      // Bytes past k stay zero: they meet the zero padding of B.
      const __m512i unsigned_codes = _mm512_maskz_mov_epi8(valid, _mm512_xor_si512(codes, flip));
      _mm512_mask_storeu_epi8(shifted + p, first_bytes(depth - p), unsigned_codes);
    }
  }
}

struct Block {
  const uint8_t* a;            // [rows x depth]
  const int8_t* panel;         // first of `Panels` consecutive panels, each [depth / 4][16][4]
  const int32_t* corrections;  // 128 * sum_k B[j, k] per column
  int64_t depth;
  int32_t* c;
  int64_t ldc;
  int64_t columns;  // valid columns from the first panel on, 1..16 * Panels
};

template <int Rows, int Panels>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void multiply_block(const Block& block) {
  __m512i acc[Rows][Panels];
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r) {
    for (int p = 0; p < Panels; ++p) acc[r][p] = _mm512_setzero_si512();
  }
  const int64_t quads = block.depth / 4;
  const int64_t panel_bytes = block.depth * kPanelColumns;
  for (int64_t quad = 0; quad < quads; ++quad) {
    __m512i b[Panels];
    for (int p = 0; p < Panels; ++p) {
      b[p] = _mm512_load_si512(block.panel + p * panel_bytes + quad * 64);
    }
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r) {
      int32_t four;
      std::memcpy(&four, block.a + r * block.depth + 4 * quad, sizeof(four));
      const __m512i a = _mm512_set1_epi32(four);
      for (int p = 0; p < Panels; ++p) acc[r][p] = _mm512_dpbusd_epi32(acc[r][p], a, b[p]);
    }
  }
  for (int p = 0; p < Panels; ++p) {
    const int64_t valid = std::clamp<int64_t>(block.columns - p * kPanelColumns, 0, kPanelColumns);
    const __mmask16 mask = static_cast<__mmask16>((1u << valid) - 1u);
    const __m512i correction = _mm512_loadu_si512(block.corrections + p * kPanelColumns);
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r) {
      _mm512_mask_storeu_epi32(block.c + r * block.ldc + p * kPanelColumns, mask,
                               _mm512_sub_epi32(acc[r][p], correction));
    }
  }
}

template <int Panels>
void multiply_rows(int rows, const Block& block) {
  switch (rows) {
    case 1:
      return multiply_block<1, Panels>(block);
    case 2:
      return multiply_block<2, Panels>(block);
    case 3:
      return multiply_block<3, Panels>(block);
    case 4:
      return multiply_block<4, Panels>(block);
    case 5:
      return multiply_block<5, Panels>(block);
    case 6:
      return multiply_block<6, Panels>(block);
    case 7:
      return multiply_block<7, Panels>(block);
    default:
      return multiply_block<8, Panels>(block);
  }
}

void multiply_quads(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c) {
  check_packed_by(b, kName);
  const int64_t n = b.n;
  const int64_t depth = quad_depth(b.k);
  thread_local std::vector<uint8_t, AlignedAllocator<uint8_t, 64>> shifted;
  shifted.resize(static_cast<size_t>(m * depth));
  shift_rows(m, b.k, a, shifted.data());
  const uint8_t* rows = shifted.data();
  const int64_t row_blocks = (m + kMaxRows - 1) / kMaxRows;
  const int64_t panel_pairs = (panel_count(n) + 1) / 2;
  const int64_t blocks = row_blocks * panel_pairs;
  auto run_block = [&](int64_t index) {
    const int64_t pair = index / row_blocks;
    const int64_t row0 = (index % row_blocks) * kMaxRows;
    const int64_t first_column = pair * 2 * kPanelColumns;
    const Block block{rows + row0 * depth,
                      b.data.data() + pair * 2 * depth * kPanelColumns,
                      b.column_corrections.data() + first_column,
                      depth,
                      c + row0 * n + first_column,
                      n,
                      n - first_column};
    const int block_rows = static_cast<int>(std::min<int64_t>(kMaxRows, m - row0));
    if (block.columns > kPanelColumns) {
      multiply_rows<2>(block_rows, block);
    } else {
      multiply_rows<1>(block_rows, block);
    }
  };
  for_each_block(blocks, m * n * b.k >= kParallelMacs, run_block);
}

}  // namespace

GemmS8Kernel avx512_vnni_gemm_s8_kernel() {
  return {kName,
          "AVX-512 VNNI vpdpbusd with A shifted to unsigned, 8x32 micro-kernel",
          avx512_vnni_unavailable_reason,
          pack_quads,
          nullptr,
          multiply_quads};
}

}  // namespace slim
