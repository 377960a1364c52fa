// What the CPU and the operating system let the int8 kernels use, asked at run time.
//
// The build may target a generic x86-64 (SLIMBENCH_NATIVE=OFF) or the build machine, and
// results are produced on other machines than the one that compiled them, so every
// optimized kernel is compiled for its own instruction set (function target attributes)
// and chosen only after these checks say it may run.
#pragma once

#include <string>

namespace slim {

// Each returns an empty string when the feature is usable here, otherwise why not, in
// words (for `slimbench list`, test skips and result records).
std::string avx2_unavailable_reason();
// AVX-512 F, DQ, BW and VL: the 64-bit multiply and masked 8- to 64-bit moves that
// requantization uses (requantize_row.h).
std::string avx512_unavailable_reason();
std::string avx512_vnni_unavailable_reason();
// AMX needs the CPU's AMX-TILE and AMX-INT8 and, on Linux, the kernel's permission to use
// tile data (arch_prctl ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), asked for once per
// process on the first call. A refusal is reported, not fatal.
std::string amx_int8_unavailable_reason();

}  // namespace slim
