// GemmS8Kernel: one int8 GEMM variant (portable scalar, AVX2, AVX-512 VNNI, AMX) in the
// table the int8 backend dispatches from at run time.
//
// Same product as gemm_s8.h, C[M x N] = A[M x K] * B[N x K]^T in exact int32, split in
// two steps because the weight operand B is fixed when a model is lowered: pack() puts B
// into the variant's register-blocked layout once, multiply() then runs with any A. Every
// variant must equal gemm_s8s8s32_reference bit for bit for every input, including codes
// of -128 (tests/kernels/int8_gemm_kernels_test.cpp); an instruction that would saturate
// on some input is used only where that input cannot reach it, as each file explains.
//
// The table (gemm_s8_kernels()) is the explicit list `slimbench list backends`, the
// tests and bench/int8_gemm_bench.cpp all walk, so no variant goes untested or
// unbenchmarked.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/aligned_allocator.h"
#include "kernels/int8/grouped_column_requantization.h"
#include "kernels/int8/requantize_row.h"

namespace slim {

// B [N x K] in one variant's layout, owned. Only the variant that packed it may read it.
struct PackedS8Weights {
  int64_t n = 0;
  int64_t k = 0;
  std::string_view kernel;  // the packing variant's name, checked by multiply()
  bool int4 = false;        // codes held as 4-bit nibbles (pack_int4), unpacked on the fly
  // Per output column, what a variant that shifts A to unsigned subtracts from each sum
  // (VNNI: 128 * sum_k B[j, k]); empty for the others.
  std::vector<int32_t> column_corrections;
  std::vector<int8_t, AlignedAllocator<int8_t, 64>> data;
  // The same weights packed by another variant that the packing one hands some products
  // to, or null: the AMX variant pads M and N to 32 and K to 64, so products of a few rows
  // (batch 1), of few columns (10-output classifiers) or of short K run faster through
  // AVX-512 VNNI's 8 x 32 micro-kernel.
  std::shared_ptr<const PackedS8Weights> handoff;

  int64_t packed_bytes() const {
    return static_cast<int64_t>(data.size()) + (handoff ? handoff->packed_bytes() : 0);
  }
};

struct GemmS8Kernel {
  std::string_view name;         // "scalar", "avx2", "avx512_vnni", "amx"
  std::string_view description;  // instructions and blocking, one line
  // Empty when this CPU and OS can run the variant, otherwise why not.
  std::string (*unavailable_reason)();
  PackedS8Weights (*pack)(int64_t n, int64_t k, const int8_t* b);
  // For weights whose codes all lie in [-8, 7] (4-bit and narrower): the same product
  // with B held as packed nibbles, half of int8 (a quarter of the avx2 variant's int16
  // panels), unpacked in registers by multiply(). nullptr when the variant has no such
  // path. Throws std::invalid_argument for a code outside [-8, 7].
  PackedS8Weights (*pack_int4)(int64_t n, int64_t k, const int8_t* b);
  // C [M x N] = A [M x K] * B^T; overwrites C. May use OpenMP threads for large products
  // (the current omp_get_max_threads()); the result does not depend on their count.
  void (*multiply)(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c);
  // The same product requantized to int8 codes [M x N] with column j's constants in `r`
  // (requantize_row.h): c[i, j] = requantize_channel(r, j, C[i, j]), bit for bit, for
  // constants whose |C + bias| < 2^32. A layer folds its zero-point terms into r's biases
  // (QuantizedGemm::folded_requantization). Where the variant fuses this into its
  // micro-kernel's stores, no int32 C is written at all: C is as many bytes as SGEMM's FP32
  // output, and on short reductions (K <= 32) writing it is most of the product's time.
  void (*multiply_requantize)(int64_t m, const int8_t* a, const PackedS8Weights& b,
                              const RowRequantization& r, int8_t* c);
  // Per-group weights: the same product with the per-group output stage of `r`
  // (grouped_column_requantization.h), codes equal to multiply_grouped_requantize_reference
  // bit for bit, B packed over all of K by pack() or pack_int4(), for constants that pass
  // check_grouped_requantization (their builder checks the values once; a call checks only
  // the sizes). nullptr where the variant has no such path: a layer then runs one product
  // per group and requantizes apart.
  void (*multiply_grouped_requantize)(int64_t m, const int8_t* a, const PackedS8Weights& b,
                                      const GroupedColumnRequantization& r, int8_t* c);

  bool available() const { return unavailable_reason().empty(); }
};

// Every variant, fastest first.
const std::vector<GemmS8Kernel>& gemm_s8_kernels();
// Throws UserError naming the valid choices.
const GemmS8Kernel& find_gemm_s8_kernel(std::string_view name);
// The fastest available variant, unless the environment variable SLIMBENCH_INT8_KERNEL
// names one (for A/B comparisons); an unknown or unavailable name there is a UserError.
// Results record the name of the variant that ran.
const GemmS8Kernel& selected_gemm_s8_kernel();

// The variants' entries, one per file.
GemmS8Kernel scalar_gemm_s8_kernel();
GemmS8Kernel avx2_gemm_s8_kernel();
GemmS8Kernel avx512_vnni_gemm_s8_kernel();
GemmS8Kernel amx_gemm_s8_kernel();

// Checks that `b` was packed by `kernel` (a logic error otherwise).
void check_packed_by(const PackedS8Weights& b, std::string_view kernel);
// Checks that `r` has one column of constants per column of `b` (a logic error otherwise).
void check_requantization_fits(const PackedS8Weights& b, const RowRequantization& r);

// multiply_requantize for variants that do not fuse it: `multiply` into an int32 band of
// rows small enough to stay in L1/L2, requantize_row over the band, then the next band.
using GemmS8Multiply = void (*)(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c);
void multiply_then_requantize(GemmS8Multiply multiply, int64_t m, const int8_t* a,
                              const PackedS8Weights& b, const RowRequantization& r, int8_t* c);

}  // namespace slim
