// The AVX2 variant: int8 widened to int16, then vpmaddwd.
//
// Why not vpmaddubsw, AVX2's 8-bit multiply: it takes u8 x s8 and saturates the sum of two
// products to int16, and 2 * 255 * 127 does not fit, so it cannot be exact for every input.
// vpmaddwd multiplies int16 pairs into one int32 (|a0 b0 + a1 b1| <= 2^15): exact for all
// int8 codes, -128 included, at 16 multiply-adds per instruction (FP32 FMA does 8).
//
// Layout: B is packed once into panels of 16 columns; within a panel, for each pair of k,
// the 16 columns' (b[j][k], b[j][k+1]) int16 pairs, i.e. 64 bytes = two ymm registers.
// A is widened to int16 rows per call (padded to an even K). The micro-kernel keeps a
// 6 x 16 block of C in 12 accumulators, and per pair of k loads two B vectors and
// broadcasts one (a[k], a[k+1]) pair per row: 12 vpmaddwd per 6 + 2 loads.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>

#include "kernels/int8/cpu_features.h"
#include "kernels/int8/gemm_s8_kernel.h"

namespace slim {
namespace {

constexpr std::string_view kName = "avx2";
// 6 rows x 16 columns: 12 accumulators + 2 B vectors + 1 broadcast = 15 of 16 registers.
// Measured against 4 x 24, 3 x 32 and 8 x 8 on Zen 3 (bench_int8_gemm): 4 x 24 was within
// noise of it, the others 10-30% slower.
constexpr int64_t kPanelColumns = 16;
constexpr int kVectors = kPanelColumns / 8;
constexpr int kMaxRows = 6;
// Below this many multiply-adds a product runs on the calling thread: waking the OpenMP
// team costs more than it saves.
constexpr int64_t kParallelMacs = int64_t{1} << 18;

int64_t even_depth(int64_t k) {
  return k + (k & 1);
}
int64_t panel_count(int64_t n) {
  return (n + kPanelColumns - 1) / kPanelColumns;
}

PackedS8Weights pack_pairs(int64_t n, int64_t k, const int8_t* b) {
  PackedS8Weights packed;
  packed.n = n;
  packed.k = k;
  packed.kernel = kName;
  const int64_t depth = even_depth(k);
  const int64_t panels = panel_count(n);
  packed.data.assign(static_cast<size_t>(panels * depth * kPanelColumns * 2), 0);
  auto* out = reinterpret_cast<int16_t*>(packed.data.data());
  for (int64_t p = 0; p < panels; ++p) {
    for (int64_t pair = 0; pair < depth / 2; ++pair) {
      for (int64_t col = 0; col < kPanelColumns; ++col) {
        const int64_t j = p * kPanelColumns + col;
        for (int64_t t = 0; t < 2; ++t) {
          const int64_t kk = 2 * pair + t;
          const int16_t value = (j < n && kk < k) ? b[j * k + kk] : 0;
          out[((p * (depth / 2) + pair) * kPanelColumns + col) * 2 + t] = value;
        }
      }
    }
  }
  return packed;
}

// a [m x k] int8 -> [m x depth] int16, zero-padded.
void widen_rows(int64_t m, int64_t k, const int8_t* a, int16_t* out) {
  const int64_t depth = even_depth(k);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t p = 0; p < k; ++p) out[i * depth + p] = a[i * k + p];
    if (depth != k) out[i * depth + k] = 0;
  }
}

struct Block {
  const int16_t* a;      // first row of the block, [rows x depth]
  const int16_t* panel;  // [depth / 2][16][2]
  int64_t depth;
  int32_t* c;  // C's element (first row, first column of the panel)
  int64_t ldc;
  int64_t columns;  // valid columns of this panel, 1..16
};

template <int Rows>
__attribute__((target("avx2"))) void multiply_block(const Block& block) {
  __m256i acc[Rows][kVectors];
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r) {
    for (int v = 0; v < kVectors; ++v) acc[r][v] = _mm256_setzero_si256();
  }
  const int64_t pairs = block.depth / 2;
  for (int64_t pair = 0; pair < pairs; ++pair) {
    const auto* b_row = reinterpret_cast<const __m256i*>(block.panel + pair * kPanelColumns * 2);
    __m256i b[kVectors];
#pragma GCC unroll 8
    for (int v = 0; v < kVectors; ++v) b[v] = _mm256_load_si256(b_row + v);
#pragma GCC unroll 8
    for (int r = 0; r < Rows; ++r) {
      int32_t both;  // (a[k], a[k+1]) as one 32-bit lane
      std::memcpy(&both, block.a + r * block.depth + 2 * pair, sizeof(both));
      const __m256i a = _mm256_set1_epi32(both);
#pragma GCC unroll 8
      for (int v = 0; v < kVectors; ++v) {
        acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(a, b[v]));
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r) {
    int32_t* row = block.c + r * block.ldc;
    if (block.columns == kPanelColumns) {
      for (int v = 0; v < kVectors; ++v) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(row + 8 * v), acc[r][v]);
      }
    } else {
      alignas(32) int32_t full[kPanelColumns];
      for (int v = 0; v < kVectors; ++v) {
        _mm256_store_si256(reinterpret_cast<__m256i*>(full + 8 * v), acc[r][v]);
      }
      std::copy(full, full + block.columns, row);
    }
  }
}

void multiply_rows(int rows, const Block& block) {
  switch (rows) {
    case 1:
      return multiply_block<1>(block);
    case 2:
      return multiply_block<2>(block);
    case 3:
      return multiply_block<3>(block);
    case 4:
      return multiply_block<4>(block);
    case 5:
      return multiply_block<5>(block);
    default:
      return multiply_block<6>(block);
  }
}

void multiply_pairs(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c) {
  check_packed_by(b, kName);
  const int64_t n = b.n;
  const int64_t depth = even_depth(b.k);
  thread_local std::vector<int16_t, AlignedAllocator<int16_t, 64>> wide;
  wide.resize(static_cast<size_t>(m * depth));
  widen_rows(m, b.k, a, wide.data());
  const auto* panels = reinterpret_cast<const int16_t*>(b.data.data());
  const int64_t row_blocks = (m + kMaxRows - 1) / kMaxRows;
  const int64_t blocks = row_blocks * panel_count(n);
  const int16_t* widened = wide.data();
  // Panel-major order: one panel of B stays in cache while every row block passes by.
#pragma omp parallel for schedule(static) if (m * n * b.k >= kParallelMacs)
  for (int64_t index = 0; index < blocks; ++index) {
    const int64_t p = index / row_blocks;
    const int64_t row0 = (index % row_blocks) * kMaxRows;
    const Block block{widened + row0 * depth,
                      panels + p * depth * kPanelColumns,
                      depth,
                      c + row0 * n + p * kPanelColumns,
                      n,
                      std::min(kPanelColumns, n - p * kPanelColumns)};
    multiply_rows(static_cast<int>(std::min<int64_t>(kMaxRows, m - row0)), block);
  }
}

}  // namespace

GemmS8Kernel avx2_gemm_s8_kernel() {
  return {kName, "AVX2 vpmaddwd on int16-widened codes, 6x16 micro-kernel", avx2_unavailable_reason,
          pack_pairs, multiply_pairs};
}

}  // namespace slim
