// GroupedColumnRequantization: the output stage of a product with per-group weights, for
// int8 GEMM variants that apply it as they store (GemmS8Kernel::multiply_grouped_requantize).
//
// Column j of C is one output channel. Its weights come in groups of `group_size` codes
// along K, each group with its own scale, so each group's sum is scaled by its own
// multiplier before the sums meet, and the total is rounded once with the column's shift:
//   acc_g[i, j] = sum_{k in group g} A[i, k] B[j, k]                      (int32)
//   T[i, j]     = bias[j] + sum_g m_g[j] * acc_g[i, j]                    (int64, exact)
//   C[i, j]     = clamp(Z + round(T / 2^s[j]), qmin, qmax)        (half away from zero)
// which is StaticRequantizer's per-group formula (requantize.h) with the layer's input zero
// point folded into the biases (with_input_zero_point_folded). Fused into the GEMM, the
// per-group int32 sums never leave registers: the unfused path runs one GEMM per group and
// writes every group's int32 output ([G][rows][N]; 12.8 MB for lenet-5's fc1 at batch 256
// in groups of 32), then reads it all back to requantize.
#pragma once

#include <cstdint>
#include <vector>

namespace slim {

struct GroupedColumnRequantization {
  int64_t group_size = 0;            // codes per group along K, a multiple of 4; the last
                                     // group may be shorter
  std::vector<int32_t> multipliers;  // [G][N], m_g in [0, 2^31)
  // [G][N], sum_{k in g} B[j, k]: a variant that shifts A to unsigned (A + 128) takes
  // 128 times it off each group's sums.
  std::vector<int32_t> weight_sums;
  std::vector<int32_t> shifts;  // [N], s in [0, 62]
  std::vector<int64_t> biases;  // [N]
  int32_t zero_point = 0;
  int32_t qmin = -128;
  int32_t qmax = 127;

  int64_t columns() const { return static_cast<int64_t>(shifts.size()); }
};

// Throws std::logic_error unless `r` describes n columns of a product of depth k: a
// positive group size that is a multiple of 4, ceil(k / group_size) groups of multipliers
// and weight sums, multipliers in [0, 2^31) and shifts in [0, 62]. Reads every constant:
// for whoever builds `r`, once.
void check_grouped_requantization(const GroupedColumnRequantization& r, int64_t n, int64_t k);
// The sizes only, in constant time: what a GEMM variant checks on every call. Scanning
// the values there took a quarter of a batch-1 product (mlp-800 fc1 in groups of 32: 25
// groups x 800 multipliers per call).
void check_grouped_requantization_shape(const GroupedColumnRequantization& r, int64_t n, int64_t k);

// The plain reference of the formula above: C [m x n] codes from A [m x k] and B [n x k].
void multiply_grouped_requantize_reference(int64_t m, int64_t n, int64_t k, const int8_t* a,
                                           const int8_t* b, const GroupedColumnRequantization& r,
                                           int8_t* c);

}  // namespace slim
