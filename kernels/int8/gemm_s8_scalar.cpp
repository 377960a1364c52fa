// The portable variant: B is kept as given and the product is the reference loop, so it
// runs on any CPU and is the fallback when no vector variant is available.
#include "kernels/int8/gemm_s8.h"
#include "kernels/int8/gemm_s8_kernel.h"

namespace slim {
namespace {

constexpr std::string_view kName = "scalar";

std::string always_available() {
  return "";
}

PackedS8Weights pack_unchanged(int64_t n, int64_t k, const int8_t* b) {
  PackedS8Weights packed;
  packed.n = n;
  packed.k = k;
  packed.kernel = kName;
  packed.data.assign(b, b + n * k);
  return packed;
}

void multiply_reference(int64_t m, const int8_t* a, const PackedS8Weights& b, int32_t* c) {
  check_packed_by(b, kName);
  gemm_s8s8s32_reference(m, b.n, b.k, a, b.data.data(), c);
}

}  // namespace

GemmS8Kernel scalar_gemm_s8_kernel() {
  return {kName,
          "plain loops (gemm_s8s8s32_reference), any CPU",
          always_available,
          pack_unchanged,
          nullptr,
          multiply_reference,
          [](int64_t m, const int8_t* a, const PackedS8Weights& b, const RowRequantization& r,
             int8_t* c) { multiply_then_requantize(multiply_reference, m, a, b, r, c); },
          nullptr};
}

}  // namespace slim
