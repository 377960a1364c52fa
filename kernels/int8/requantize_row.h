// The hot loop of static requantization with one weight group: one row of int32
// accumulators (one per output channel) to int8 codes,
//   q[o] = clamp(Z_y + round((acc[o] + bias[o]) * m[o] / 2^e[o]), qmin, qmax),
// rounded once, half away from zero (requantize.h), for |acc + bias| < 2^32 (the
// product then fits int64). A plain reference and AVX2 and
// AVX-512 variants that must match it bit for bit (tests/kernels/int8_requantize_row_test.cpp);
// requantize_row() picks the widest one this CPU has.
#pragma once

#include <cstdint>
#include <vector>

namespace slim {

// Per-channel constants, as StaticRequantizer builds them.
struct RowRequantization {
  // [O], the bias at scale S_x * S_w[o]; 64 bits so that a kernel can fold its own
  // per-channel terms into it (zero points, an unsigned shift of the input: the direct
  // convolution and the int8 GEMMs' fused output stage).
  std::vector<int64_t> biases;
  std::vector<int32_t> multipliers;  // [O], Q0.31 in [0, 2^31)
  std::vector<int32_t> exponents;    // [O], 31 - shift, in [0, 62]
  int32_t zero_point = 0;
  int32_t qmin = -128;
  int32_t qmax = 127;

  int64_t channels() const { return static_cast<int64_t>(multipliers.size()); }
};

// Whether requantize_avx512.h's 32-bit-lane output stage (requantize_sixteen_narrow) gives
// these constants' codes for every accumulator that a sum of `depth` products of two
// differences of 8-bit codes can reach (|acc| <= depth * 255^2, every int8 kernel's
// accumulator): every exponent in [32, 62] (multipliers M = m / 2^e below 1/2, so the
// result fits 31 bits) and depth * 255^2 + |bias| < 2^31 (the sum fits int32). Kernels
// decide once per call or per layer, and fall back to the 64-bit-lane stage otherwise.
bool narrow_requantization_applies(const std::vector<int64_t>& biases,
                                   const std::vector<int32_t>& exponents, int64_t depth);
bool narrow_requantization_applies(const RowRequantization& r, int64_t depth);

// One channel: the reference arithmetic, for callers that requantize element by element.
int8_t requantize_channel(const RowRequantization& r, int64_t o, int32_t acc);

// Channels [first, first + count) of a row: out[j] = requantize_channel(r, first + j,
// acc[j]), through AVX-512 where the CPU has it (the AMX GEMM's fused output stage).
void requantize_row_range(const RowRequantization& r, int64_t first, int64_t count,
                          const int32_t* acc, int8_t* out);

void requantize_row_reference(const RowRequantization& r, const int32_t* acc, int8_t* out);
void requantize_row_avx2(const RowRequantization& r, const int32_t* acc, int8_t* out);
void requantize_row_avx512(const RowRequantization& r, const int32_t* acc, int8_t* out);
// The AVX-512 variant where the CPU has it, else the AVX2 one, else the reference.
void requantize_row(const RowRequantization& r, const int32_t* acc, int8_t* out);

// A convolution's block of `pixels` rows of accumulators, [pixels x channels] as the GEMM
// writes them, to channel-major codes out[o * pixels + p] (one image's NCHW planes): the
// codes requantize_row gives, transposed. The AVX-512 variant reads each channel's column
// with gathers, so that it requantizes 16 pixels at a time with that channel's constants
// in registers and stores the codes contiguously, where the per-row path handles 20 or
// 50 channels per call and writes them one byte at a time across the planes.
void requantize_columns_reference(const RowRequantization& r, const int32_t* acc, int64_t pixels,
                                  int8_t* out);
void requantize_columns_avx512(const RowRequantization& r, const int32_t* acc, int64_t pixels,
                               int8_t* out);
// The AVX-512 variant where the CPU has it, else the reference.
void requantize_columns(const RowRequantization& r, const int32_t* acc, int64_t pixels,
                        int8_t* out);

}  // namespace slim
