#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
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

void multiply_then_requantize(GemmS8Multiply multiply, int64_t m, const int8_t* a,
                              const PackedS8Weights& b, const RowRequantization& r, int8_t* c) {
  check_requantization_fits(b, r);
  // 128 KiB of accumulators per band (at least one row): still in L2 when the band is
  // requantized, and large enough that a parallel product still splits across threads.
  constexpr int64_t kBandBytes = int64_t{128} << 10;
  const int64_t band_rows = std::max<int64_t>(1, kBandBytes / (4 * std::max<int64_t>(b.n, 1)));
  thread_local std::vector<int32_t> band;
  band.resize(static_cast<size_t>(std::min(m, band_rows) * b.n));
  for (int64_t row0 = 0; row0 < m; row0 += band_rows) {
    const int64_t rows = std::min(band_rows, m - row0);
    multiply(rows, a + row0 * b.k, b, band.data());
    for (int64_t i = 0; i < rows; ++i)
      requantize_row(r, band.data() + i * b.n, c + (row0 + i) * b.n);
  }
}

void check_requantization_fits(const PackedS8Weights& b, const RowRequantization& r) {
  if (r.channels() != b.n) {
    throw std::logic_error(fmt::format("int8 GEMM ({}): {} requantization constants for {} columns",
                                       b.kernel, r.channels(), b.n));
  }
}

void check_packed_by(const PackedS8Weights& b, std::string_view kernel) {
  if (b.kernel != kernel) {
    throw std::logic_error(
        fmt::format("int8 GEMM '{}' was given weights packed by '{}'", kernel, b.kernel));
  }
}

}  // namespace slim
