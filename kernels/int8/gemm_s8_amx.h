// The AMX int8 GEMM variant's test double, and its tile configuration for benchmarks. The variant
// itself is amx_gemm_s8_kernel() in the table (gemm_s8_kernel.h); this one runs the same packing
// and loop nest on tiles emulated in plain C++, so tests on CPUs without AMX still check everything
// the variant does except the instructions (tests/kernels/int8_gemm_kernels_test.cpp). Slow: tests
// only.
#pragma once

#include "kernels/int8/gemm_s8_kernel.h"

namespace slim {

GemmS8Kernel amx_emulated_gemm_s8_kernel();

// Loads the tile configuration the variant uses (eight tiles of 16 rows x 64 bytes) on
// the calling thread, and releases it: for code that issues tile instructions itself
// (bench/isa_peak_bench.cpp). Only where amx_int8_unavailable_reason() is empty.
void load_amx_tile_config();
void release_amx_tiles();

}  // namespace slim
