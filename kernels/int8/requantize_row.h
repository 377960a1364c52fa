// The hot loop of static requantization with one weight group: one row of int32
// accumulators (one per output channel) to int8 codes,
//   q[o] = clamp(Z_y + round((acc[o] + bias[o]) * m[o] / 2^e[o]), qmin, qmax),
// rounded once, half away from zero (requantize.h). A plain reference and AVX2 and
// AVX-512 variants that must match it bit for bit (tests/kernels/int8_requantize_row_test.cpp);
// requantize_row() picks the widest one this CPU has.
#pragma once

#include <cstdint>
#include <vector>

namespace slim {

// Per-channel constants, as StaticRequantizer builds them.
struct RowRequantization {
  std::vector<int32_t> biases;       // [O], the bias at scale S_x * S_w[o]
  std::vector<int32_t> multipliers;  // [O], Q0.31 in [0, 2^31)
  std::vector<int32_t> exponents;    // [O], 31 - shift, in [0, 62]
  int32_t zero_point = 0;
  int32_t qmin = -128;
  int32_t qmax = 127;

  int64_t channels() const { return static_cast<int64_t>(multipliers.size()); }
};

// One channel: the reference arithmetic, for callers that requantize element by element.
int8_t requantize_channel(const RowRequantization& r, int64_t o, int32_t acc);

void requantize_row_reference(const RowRequantization& r, const int32_t* acc, int8_t* out);
void requantize_row_avx2(const RowRequantization& r, const int32_t* acc, int8_t* out);
void requantize_row_avx512(const RowRequantization& r, const int32_t* acc, int8_t* out);
// The AVX-512 variant where the CPU has it, else the AVX2 one, else the reference.
void requantize_row(const RowRequantization& r, const int32_t* acc, int8_t* out);

}  // namespace slim
