// FP16 (IEEE binary16) values for the FP16 GEMM, and the conversion from FP32 on the GPU.
//
// Fp16 holds the 16 bits only, so that plain C++ code can pass FP16 arrays around
// without CUDA's headers; it has the size and alignment of CUDA's __half.
#pragma once

#include <cstddef>
#include <cstdint>

namespace slim {

struct Fp16 {
  std::uint16_t bits = 0;
};
static_assert(sizeof(Fp16) == 2 && alignof(Fp16) == 2);

// dst[i] = src[i] rounded to the nearest FP16 (ties to even; beyond 65504 -> inf), for
// n device values. Enqueued on the default stream like the GEMMs; n == 0 does nothing.
void cuda_convert_to_fp16(const float* src_device, Fp16* dst_device, std::size_t n);

}  // namespace slim
