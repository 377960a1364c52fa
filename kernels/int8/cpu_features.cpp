#include "kernels/int8/cpu_features.h"

#include <cpuid.h>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace slim {
namespace {

// CPUID leaf 7, sub-leaf 0, EDX: AMX-TILE is bit 24 and AMX-INT8 bit 25 (Intel SDM, vol. 2A).
bool cpu_reports_amx_int8() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  const unsigned amx_tile = 1u << 24;
  const unsigned amx_int8 = 1u << 25;
  return (edx & amx_tile) != 0 && (edx & amx_int8) != 0;
}

// Linux keeps the 8 KiB of tile registers out of every thread's saved state until the
// process asks for them (since 5.16). Without the permission the first tile instruction
// faults, so the kernel must not be chosen.
std::string request_tile_data_permission() {
#if defined(__linux__) && defined(SYS_arch_prctl)
  constexpr long kArchReqXcompPerm = 0x1023;
  constexpr long kXfeatureXtiledata = 18;
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) {
    return "the Linux kernel refused AMX tile data (arch_prctl ARCH_REQ_XCOMP_PERM); it needs "
           "Linux 5.16 or newer";
  }
  return "";
#else
  return "AMX tile permission can only be requested on Linux";
#endif
}

}  // namespace

std::string avx2_unavailable_reason() {
  // __builtin_cpu_supports also checks that the OS saves the YMM state (XGETBV).
  if (__builtin_cpu_supports("avx2")) return "";
  return "the CPU (or the OS) does not support AVX2";
}

std::string avx512_unavailable_reason() {
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
    return "";
  }
  return "the CPU (or the OS) does not support AVX-512 F/DQ/BW/VL";
}

std::string avx512_vnni_unavailable_reason() {
  // DQ and VL for the fused requantization (requantize_avx512.h); every CPU with VNNI so
  // far has them.
  if (avx512_unavailable_reason().empty() && __builtin_cpu_supports("avx512vnni")) return "";
  return "the CPU (or the OS) does not support AVX-512 F/DQ/BW/VL/VNNI";
}

std::string amx_int8_unavailable_reason() {
  // Asked once: the permission is per process and the answer cannot change.
  static const std::string reason = [] {
    if (!cpu_reports_amx_int8()) return std::string("the CPU has no AMX-TILE/AMX-INT8");
    return request_tile_data_permission();
  }();
  return reason;
}

}  // namespace slim
