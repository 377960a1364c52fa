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

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/parallel_for.h"
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

// The int4 form of the same layout: per pair of k, the 32 codes of a panel (column by
// column, k then k + 1) as 16 bytes, code 2i in the low nibble of byte i and code 2i + 1 in
// the high one, so unpacking in registers yields exactly pack_pairs' two vectors.
PackedS8Weights pack_nibble_pairs(int64_t n, int64_t k, const int8_t* b) {
  for (int64_t i = 0; i < n * k; ++i) {
    if (b[i] < -8 || b[i] > 7) {
      throw std::invalid_argument("avx2 int8 GEMM: a 4-bit weight code outside [-8, 7]");
    }
  }
  PackedS8Weights packed;
  packed.n = n;
  packed.k = k;
  packed.kernel = kName;
  packed.int4 = true;
  const int64_t depth = even_depth(k);
  const int64_t panels = panel_count(n);
  packed.data.assign(static_cast<size_t>(panels * depth * kPanelColumns / 2), 0);
  for (int64_t p = 0; p < panels; ++p) {
    for (int64_t pair = 0; pair < depth / 2; ++pair) {
      int8_t* out = packed.data.data() + (p * (depth / 2) + pair) * kPanelColumns;
      for (int64_t slot = 0; slot < 2 * kPanelColumns; ++slot) {
        const int64_t j = p * kPanelColumns + slot / 2;
        const int64_t kk = 2 * pair + slot % 2;
        const int value = (j < n && kk < k) ? b[j * k + kk] : 0;
        const int nibble = (value & 0x0F) << (4 * (slot % 2));
        out[slot / 2] = static_cast<int8_t>(out[slot / 2] | nibble);
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
  const int16_t* a;   // first row of the block, [rows x depth]
  const void* panel;  // [depth / 2][16][2] int16, or the same as nibbles (pack_nibble_pairs)
  int64_t depth;
  int32_t* c;  // C's element (first row, first column of the panel)
  int64_t ldc;
  int64_t columns;  // valid columns of this panel, 1..16
};

// One pair step's two B vectors: loaded (int16 panels) or unpacked from 16 nibble bytes:
// mask and shift out the nibbles, sign-extend 4 to 8 bits as (x ^ 8) - 8, interleave low
// and high nibbles back into code order and widen to int16.
template <bool Nibbles>
__attribute__((target("avx2"))) inline void load_pair_step(const void* panel, int64_t pair,
                                                           __m256i* b) {
  if constexpr (Nibbles) {
    const __m128i bytes =
        _mm_load_si128(static_cast<const __m128i*>(panel) + pair);  // 16 bytes per step
    const __m128i low_mask = _mm_set1_epi8(0x0F);
    const __m128i eight = _mm_set1_epi8(8);
    __m128i low = _mm_and_si128(bytes, low_mask);
    __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_mask);
    low = _mm_sub_epi8(_mm_xor_si128(low, eight), eight);
    high = _mm_sub_epi8(_mm_xor_si128(high, eight), eight);
    b[0] = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(low, high));
    b[1] = _mm256_cvtepi8_epi16(_mm_unpackhi_epi8(low, high));
  } else {
    const auto* row = static_cast<const __m256i*>(panel) + pair * kVectors;
#pragma GCC unroll 8
    for (int v = 0; v < kVectors; ++v) b[v] = _mm256_load_si256(row + v);
  }
}

template <int Rows, bool Nibbles>
__attribute__((target("avx2"))) void multiply_block(const Block& block) {
  static_assert(!Nibbles || kVectors == 2, "the nibble layout unpacks into two vectors");
  __m256i acc[Rows][kVectors];
#pragma GCC unroll 8
  for (int r = 0; r < Rows; ++r) {
    for (int v = 0; v < kVectors; ++v) acc[r][v] = _mm256_setzero_si256();
  }
  const int64_t pairs = block.depth / 2;
  for (int64_t pair = 0; pair < pairs; ++pair) {
    __m256i b[kVectors];
    load_pair_step<Nibbles>(block.panel, pair, b);
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

template <bool Nibbles>
void multiply_rows(int rows, const Block& block) {
  switch (rows) {
    case 1:
      return multiply_block<1, Nibbles>(block);
    case 2:
      return multiply_block<2, Nibbles>(block);
    case 3:
      return multiply_block<3, Nibbles>(block);
    case 4:
      return multiply_block<4, Nibbles>(block);
    case 5:
      return multiply_block<5, Nibbles>(block);
    default:
      return multiply_block<6, Nibbles>(block);
  }
}

void multiply_pairs(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c) {
  check_packed_by(b, kName);
  const int64_t n = b.n;
  const int64_t depth = even_depth(b.k);
  thread_local std::vector<int16_t, AlignedAllocator<int16_t, 64>> wide;
  wide.resize(static_cast<size_t>(m * depth));
  widen_rows(m, b.k, a, wide.data());
  const int8_t* panels = b.data.data();
  // Bytes per panel: 16 columns x depth codes, as int16 or as nibbles.
  const int64_t panel_bytes = b.int4 ? depth * kPanelColumns / 2 : depth * kPanelColumns * 2;
  const int64_t row_blocks = (m + kMaxRows - 1) / kMaxRows;
  const int64_t blocks = row_blocks * panel_count(n);
  const int16_t* widened = wide.data();
  auto run_block = [&](int64_t index) {
    const int64_t p = index / row_blocks;
    const int64_t row0 = (index % row_blocks) * kMaxRows;
    const Block block{widened + row0 * depth,
                      panels + p * panel_bytes,
                      depth,
                      c + row0 * n + p * kPanelColumns,
                      n,
                      std::min(kPanelColumns, n - p * kPanelColumns)};
    const int rows = static_cast<int>(std::min<int64_t>(kMaxRows, m - row0));
    if (b.int4) {
      multiply_rows<true>(rows, block);
    } else {
      multiply_rows<false>(rows, block);
    }
  };
  // Panel-major order: one panel of B stays in cache while every row block passes by.
  parallel_for(blocks, m * n * b.k >= kParallelMacs, run_block);
}

}  // namespace

GemmS8Kernel avx2_gemm_s8_kernel() {
  return {kName,
          "AVX2 vpmaddwd on int16-widened codes, 6x16 micro-kernel",
          avx2_unavailable_reason,
          pack_pairs,
          pack_nibble_pairs,
          multiply_pairs,
          [](int64_t m, const int8_t* a, const PackedS8Weights& b, const RowRequantization& r,
             int8_t* c) { multiply_then_requantize(multiply_pairs, m, a, b, r, c); },
          nullptr};
}

}  // namespace slim
