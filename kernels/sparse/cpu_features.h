// Run-time CPU dispatch for the sparse kernels.
//
// The AVX2 variants are compiled with a per-function target attribute, so they exist in
// every build (with or without -march=native) and are only called after
// cpu_has_avx2_fma() said yes; every caller keeps the plain reference as the fallback.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#define SLIM_SPARSE_HAVE_X86 1
// Every function that uses AVX2/FMA intrinsics, helpers included, carries this: GCC
// refuses to inline an intrinsic into a function compiled for a smaller ISA.
#define SLIM_TARGET_AVX2_FMA __attribute__((target("avx2,fma")))
#else
#define SLIM_SPARSE_HAVE_X86 0
#endif

namespace slim {

inline bool cpu_has_avx2_fma() {
#if SLIM_SPARSE_HAVE_X86
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

}  // namespace slim
