// cuda_gemm_s8_cublaslt: int8 x int8 -> int32 on integer tensor cores via cuBLASLt.
//
// Layout (gemm_s8.h): A is [M, K], B is [N, K], C is [M, N], all row-major. cuBLASLt's
// int8 kernels (IMMA) with the plain row/column orders take only the "TN" form:
// D (m' x n', column-major) = op(A') * B' with op(A') = A'^T. Read column-major, our B
// is the K x N matrix A' (ld K) and our A is the K x M matrix B' (ld K); then
// D[j, i] = sum_p B[j, p] * A[i, p] = C[i, j], and the column-major N x M D (ld N) is
// our row-major C. So m' = N, n' = M, k' = K and the leading dimensions are K, K, N.
//
// cuBLASLt's rules for these kernels: leading dimensions multiples of 4 (so K and N
// here), pointers 4-byte aligned (16 is faster). cublaslt_s8_unsupported_reason checks
// them before any CUDA call. Its heuristic otherwise assumes 256-byte-aligned operands,
// so the plan passes each pointer's real alignment and never gets a kernel that would
// fault on an offset pointer.
//
// Choosing an algorithm costs microseconds of host time, more than a small GEMM takes
// on the GPU, so plans are cached per (M, N, K, alignments).
#include <cublasLt.h>
#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "kernels/cuda/cublas_check.h"
#include "kernels/cuda/cublas_handles.h"
#include "kernels/cuda/cublas_library.h"
#include "kernels/cuda/cuda_error.h"
#include "kernels/cuda/cuda_gemm.h"
#include "kernels/cuda/gemm_problem.h"

namespace slim {
namespace {

constexpr std::uint32_t kMaxUsefulAlignment = 256;  // cuBLASLt's own default assumption
constexpr std::size_t kMaxCachedLtPlans = 64;

struct LtMatmulDescDeleter {
  void operator()(cublasLtMatmulDescOpaque_t* desc) const {
    (void)cublas_api().lt_desc_destroy(desc);
  }
};
struct LtLayoutDeleter {
  void operator()(cublasLtMatrixLayoutOpaque_t* layout) const {
    (void)cublas_api().lt_layout_destroy(layout);
  }
};
struct LtPreferenceDeleter {
  void operator()(cublasLtMatmulPreferenceOpaque_t* pref) const {
    (void)cublas_api().lt_preference_destroy(pref);
  }
};
using LtMatmulDesc = std::unique_ptr<cublasLtMatmulDescOpaque_t, LtMatmulDescDeleter>;
using LtLayout = std::unique_ptr<cublasLtMatrixLayoutOpaque_t, LtLayoutDeleter>;
using LtPreference = std::unique_ptr<cublasLtMatmulPreferenceOpaque_t, LtPreferenceDeleter>;

// The largest power of two dividing the address, capped at what cuBLASLt asks about.
std::uint32_t address_alignment(const void* pointer) {
  const auto address = reinterpret_cast<std::uintptr_t>(pointer);
  if (address == 0) return kMaxUsefulAlignment;
  const std::uintptr_t lowest_bit = address & (~address + 1);
  return lowest_bit < kMaxUsefulAlignment ? static_cast<std::uint32_t>(lowest_bit)
                                          : kMaxUsefulAlignment;
}

struct LtPlanKey {
  int m, n, k;
  std::uint32_t align_a, align_b, align_c;
  auto tied() const { return std::tie(m, n, k, align_a, align_b, align_c); }
  bool operator<(const LtPlanKey& other) const { return tied() < other.tied(); }
};

struct LtS8Plan {
  LtMatmulDesc operation;
  LtLayout weights_layout;      // cuBLASLt's A: our B, K x N column-major
  LtLayout activations_layout;  // cuBLASLt's B: our A, K x M column-major
  LtLayout output_layout;       // C and D: N x M column-major
  cublasLtMatmulAlgo_t algo{};
};

template <typename T>
void set_desc_attribute(cublasLtMatmulDescOpaque_t* desc, cublasLtMatmulDescAttributes_t attr,
                        const T& value) {
  cublas_check(cublas_api().lt_desc_set(desc, attr, &value, sizeof(value)),
               "cublasLtMatmulDescSetAttribute");
}

template <typename T>
void set_preference(cublasLtMatmulPreferenceOpaque_t* pref,
                    cublasLtMatmulPreferenceAttributes_t attr, const T& value) {
  cublas_check(cublas_api().lt_preference_set(pref, attr, &value, sizeof(value)),
               "cublasLtMatmulPreferenceSetAttribute");
}

LtLayout make_layout(cudaDataType_t type, int rows, int cols, int ld) {
  cublasLtMatrixLayout_t layout = nullptr;
  cublas_check(cublas_api().lt_layout_create(&layout, type, static_cast<std::uint64_t>(rows),
                                             static_cast<std::uint64_t>(cols), ld),
               "cublasLtMatrixLayoutCreate");
  return LtLayout(layout);
}

LtMatmulDesc make_s8_operation() {
  cublasLtMatmulDesc_t desc = nullptr;
  cublas_check(cublas_api().lt_desc_create(&desc, CUBLAS_COMPUTE_32I, CUDA_R_32I),
               "cublasLtMatmulDescCreate(CUBLAS_COMPUTE_32I)");
  LtMatmulDesc owned(desc);
  // The attributes are int32_t in cuBLASLt's ABI.
  set_desc_attribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, static_cast<std::int32_t>(CUBLAS_OP_T));
  set_desc_attribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, static_cast<std::int32_t>(CUBLAS_OP_N));
  return owned;
}

LtPreference make_preference(const LtPlanKey& key) {
  cublasLtMatmulPreference_t pref = nullptr;
  cublas_check(cublas_api().lt_preference_create(&pref), "cublasLtMatmulPreferenceCreate");
  LtPreference owned(pref);
  set_preference(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                 static_cast<std::uint64_t>(cublaslt_workspace().bytes));
  set_preference(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, key.align_b);  // our B
  set_preference(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, key.align_a);  // our A
  set_preference(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, key.align_c);
  set_preference(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, key.align_c);
  return owned;
}

std::unique_ptr<LtS8Plan> make_plan(const LtPlanKey& key) {
  auto plan = std::make_unique<LtS8Plan>();
  plan->operation = make_s8_operation();
  plan->weights_layout = make_layout(CUDA_R_8I, key.k, key.n, key.k);
  plan->activations_layout = make_layout(CUDA_R_8I, key.k, key.m, key.k);
  plan->output_layout = make_layout(CUDA_R_32I, key.n, key.m, key.n);
  const LtPreference preference = make_preference(key);

  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  cublas_check(
      cublas_api().lt_heuristic(cublaslt_handle(), plan->operation.get(),
                                plan->weights_layout.get(), plan->activations_layout.get(),
                                plan->output_layout.get(), plan->output_layout.get(),
                                preference.get(), 1, &result, &found),
      fmt::format("cublasLtMatmulAlgoGetHeuristic (int8, M={} N={} K={})", key.m, key.n, key.k));
  if (found == 0) {
    throw CudaError(fmt::format("cuda_gemm_s8_cublaslt: cuBLASLt has no int8 algorithm for "
                                "M={} N={} K={} (alignments A {} B {} C {} bytes) on this GPU",
                                key.m, key.n, key.k, key.align_a, key.align_b, key.align_c),
                    static_cast<int>(CUBLAS_STATUS_NOT_SUPPORTED));
  }
  plan->algo = result.algo;
  return plan;
}

const LtS8Plan& cached_plan(const LtPlanKey& key) {
  // Reachable for the whole run (never destroyed, like the handles it belongs to).
  static auto* plans = new std::map<LtPlanKey, std::unique_ptr<LtS8Plan>>();
  if (const auto found = plans->find(key); found != plans->end()) return *found->second;
  if (plans->size() >= kMaxCachedLtPlans) plans->clear();  // many shapes: start over
  return *plans->emplace(key, make_plan(key)).first->second;
}

}  // namespace

std::string cublaslt_s8_unsupported_reason(int64_t m, int64_t n, int64_t k, const int8_t* a,
                                           const int8_t* b, const int32_t* c) {
  constexpr int64_t kMaxDim = std::numeric_limits<int>::max();
  if (m < 0 || n < 0 || k < 0 || m > kMaxDim || n > kMaxDim || k > kMaxDim) {
    return fmt::format("sizes M={} N={} K={} must be in [0, {}]", m, n, k, kMaxDim);
  }
  if (k % 4 != 0) {
    return fmt::format(
        "K={} is not a multiple of 4 (cuBLASLt int8 needs the leading "
        "dimensions of A [M, K] and B [N, K], both K, to be)",
        k);
  }
  if (n % 4 != 0) {
    return fmt::format(
        "N={} is not a multiple of 4 (cuBLASLt int8 needs the leading "
        "dimension of C [M, N], N, to be)",
        n);
  }
  const std::pair<const char*, const void*> operands[] = {{"A", a}, {"B", b}, {"C", c}};
  for (const auto& [name, pointer] : operands) {
    if (address_alignment(pointer) < 4) {
      return fmt::format("operand {} at {} is not 4-byte aligned", name, pointer);
    }
  }
  return "";
}

void cuda_gemm_s8_cublaslt(int64_t m, int64_t n, int64_t k, const int8_t* a, const int8_t* b,
                           int32_t* c) {
  if (const std::string why = cublaslt_s8_unsupported_reason(m, n, k, a, b, c); !why.empty()) {
    throw std::invalid_argument("cuda_gemm_s8_cublaslt: " + why);
  }
  const GemmDims dims = checked_gemm_dims("cuda_gemm_s8_cublaslt", m, n, k);
  if (dims.empty()) return;
  if (dims.k == 0) {
    zero_device_output(c, dims, sizeof(int32_t));
    return;
  }
  const LtPlanKey key{
      dims.m, dims.n, dims.k, address_alignment(a), address_alignment(b), address_alignment(c)};
  const LtS8Plan& plan = cached_plan(key);
  const std::int32_t one = 1;
  const std::int32_t zero = 0;
  const CublasLtWorkspace workspace = cublaslt_workspace();
  // Operands swap places (see the top of this file): cuBLASLt's A is our B.
  cublas_check(
      cublas_api().lt_matmul(cublaslt_handle(), plan.operation.get(), &one, b,
                             plan.weights_layout.get(), a, plan.activations_layout.get(), &zero, c,
                             plan.output_layout.get(), c, plan.output_layout.get(), &plan.algo,
                             workspace.data, workspace.bytes, cudaStream_t{}),
      fmt::format("cublasLtMatmul (int8, M={} N={} K={})", m, n, k));
}

}  // namespace slim
