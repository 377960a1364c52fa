// The int8 GEMM signature of the integer backend, and its plain-loop reference.
//
// C[M x N] = A[M x K] * B[N x K]^T with int8 inputs and int32 accumulation: A is
// row-major M x K, B is row-major N x K (each row of B is one output column's K
// weights), C is row-major M x N and overwritten. Both operands are K-contiguous, so
// every C element is one dot product of two contiguous int8 rows: the layout dot-product
// instructions (AVX2 pmaddubsw, AVX-512 VNNI vpdpbusd) want, and the one the quantized
// layers already hold: activations [rows, K] and weights [out_channels, K].
//
// No zero points and no requantization here: the caller expands zero points around the
// raw product (kernels/int8/quantized_gemm.h). |C| <= K * 2^14, so K < 2^17 cannot
// overflow. Optimized variants (issue #5) sit beside the reference with this signature
// and must match it bit for bit.
#pragma once

#include <cstdint>

namespace slim {

using GemmS8Function = void (*)(int64_t m, int64_t n, int64_t k, const int8_t* a, const int8_t* b,
                                int32_t* c);

void gemm_s8s8s32_reference(int64_t m, int64_t n, int64_t k, const int8_t* a, const int8_t* b,
                            int32_t* c);

}  // namespace slim
