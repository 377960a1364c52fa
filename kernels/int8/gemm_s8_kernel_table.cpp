#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <stdexcept>

#include "core/error.h"
#include "kernels/int8/gemm_s8_kernel.h"

namespace slim {

const std::vector<GemmS8Kernel>& gemm_s8_kernels() {
  static const std::vector<GemmS8Kernel> table = {amx_gemm_s8_kernel(),
                                                  avx512_vnni_gemm_s8_kernel(),
                                                  avx2_gemm_s8_kernel(), scalar_gemm_s8_kernel()};
  return table;
}

namespace {

std::vector<std::string_view> kernel_names() {
  std::vector<std::string_view> names;
  for (const GemmS8Kernel& kernel : gemm_s8_kernels()) names.push_back(kernel.name);
  return names;
}

const GemmS8Kernel& fastest_available() {
  for (const GemmS8Kernel& kernel : gemm_s8_kernels()) {
    if (kernel.available()) return kernel;
  }
  return gemm_s8_kernels().back();  // scalar runs everywhere
}

}  // namespace

const GemmS8Kernel& find_gemm_s8_kernel(std::string_view name) {
  for (const GemmS8Kernel& kernel : gemm_s8_kernels()) {
    if (kernel.name == name) return kernel;
  }
  fail("unknown int8 GEMM kernel '{}'; valid choices: {}", name, fmt::join(kernel_names(), ", "));
}

const GemmS8Kernel& selected_gemm_s8_kernel() {
  const char* forced = std::getenv("SLIMBENCH_INT8_KERNEL");
  if (forced == nullptr || *forced == '\0') return fastest_available();
  const GemmS8Kernel& kernel = find_gemm_s8_kernel(forced);
  const std::string reason = kernel.unavailable_reason();
  if (!reason.empty()) {
    fail("SLIMBENCH_INT8_KERNEL={} cannot run here: {}", forced, reason);
  }
  return kernel;
}

void check_packed_by(const PackedS8Weights& b, std::string_view kernel) {
  if (b.kernel != kernel) {
    throw std::logic_error(
        fmt::format("int8 GEMM '{}' was given weights packed by '{}'", kernel, b.kernel));
  }
}

}  // namespace slim
