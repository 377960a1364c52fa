#include <fmt/format.h>
#include <fmt/ranges.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <utility>

#include "core/error.h"
#include "core/gemm.h"
#include "kernels/backend.h"
#include "kernels/cpu/gemm_eigen.h"
#include "kernels/cpu/gemm_openblas.h"
#include "kernels/graph_executor.h"
#include "kernels/int8/int8_executor.h"
#include "kernels/int8/quantized_conv2d_op.h"
#include "kernels/reference/gemm_reference.h"
#include "kernels/sparse/sparse_executor.h"

#if defined(SLIMBENCH_HAVE_CUDA) && defined(SLIMBENCH_HAVE_CUBLAS)
#include "kernels/cuda/cuda_fp32_backend.h"
#include "kernels/cuda/nvml_meter.h"
#endif

namespace slim {
namespace {

// CPU backends have no energy counter of their own: the harness reads the host's.
constexpr std::nullptr_t kHostEnergy = nullptr;

std::string always_available() {
  return "";
}

std::string openblas_variant() {
  return describe_openblas_core(openblas_core_name(), openblas_forced_core());
}

std::string int8_variant() {
  const GemmS8Kernel& kernel = selected_gemm_s8_kernel();
  return fmt::format("int8 GEMM {} ({}); convolutions: {}; batches: {}; FP32 layers: {}",
                     kernel.name, kernel.description, int8_conv_path_description(kernel),
                     int8_batch_chunking_description(), openblas_variant());
}

// The three FP32 backends share the graph executor and differ only in their GEMM.
Backend fp32_backend(std::string name, std::string description, GemmFunction gemm,
                     std::function<std::string()> variant) {
  auto lower = [name, gemm](const Model& model) { return lower_graph(model, name, gemm); };
  return {std::move(name),  std::move(description), always_available,
          std::move(lower), std::move(variant),     kHostEnergy};
}

std::vector<Backend> make_backend_table() {
  std::vector<Backend> table;
  table.push_back(fp32_backend("reference",
                               "FP32, plain-loop GEMM, single-threaded: the ground truth",
                               gemm_reference, [] { return std::string("plain loops"); }));
  table.push_back(
      fp32_backend("eigen", "FP32, Eigen GEMM (OpenMP threads, --threads)", gemm_eigen, [] {
        return fmt::format("Eigen {}.{}.{} ({})", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION,
                           EIGEN_MINOR_VERSION, Eigen::SimdInstructionSetsInUse());
      }));
  table.push_back(fp32_backend("openblas",
                               "FP32, OpenBLAS SGEMM split across OpenMP threads (as in training)",
                               gemm_openblas, openblas_variant));
  // Integer execution of the quantized layers; the layers left in FP32 (and the FP32
  // simulation's boundaries) go through OpenBLAS, as on the openblas backend. The int8
  // GEMM variant is chosen at run time for this CPU (gemm_s8_kernel.h).
  table.push_back(
      Backend{"int8",
              "INT8 integer execution of quantized layers (AMX, AVX-512 VNNI, AVX2 or scalar GEMM, "
              "chosen at run time); FP32 layers through OpenBLAS",
              always_available, [](const Model& model) { return lower_int8(model, gemm_openblas); },
              int8_variant, kHostEnergy});
  // Linear layers with sparse weights through CSR or 2:4 kernels (kernels/sparse/
  // sparse_lowering.h says which), everything else as on the openblas backend.
  table.push_back(Backend{"sparse",
                          "FP32, sparse Linear layers as CSR or 2:4 (AVX2 when available); "
                          "the rest through OpenBLAS",
                          always_available, [](const Model& model) { return lower_sparse(model); },
                          [] {
                            return fmt::format("CSR and 2:4 kernels {}; dense layers: {}",
                                               sparse_kernels_name(), openblas_variant());
                          },
                          kHostEnergy});
#if defined(SLIMBENCH_HAVE_CUDA) && defined(SLIMBENCH_HAVE_CUBLAS)
  // FP32 on the GPU through the same graph executor (kernels/cuda/cuda_fp32_backend.h);
  // only in builds with the CUDA backend, and unavailable without a device.
  table.push_back(Backend{
      "cuda",
      "FP32, cuBLAS SGEMM on the GPU (no TF32), weights kept on the device; "
      "latency includes per-layer host<->device copies of activations",
      cuda_backend_unavailable_reason,
      [](const Model& model) {
        return with_device_operand_cache(lower_graph(model, "cuda", gemm_cuda_fp32_host_operands));
      },
      cuda_backend_variant, [](std::string* why) { return open_nvml_meter(0, why); }});
#endif
  return table;
}

}  // namespace

const std::vector<Backend>& backend_table() {
  // Built on first use rather than as a namespace-scope static, so no other static's
  // initialisation can observe it half-built.
  static const std::vector<Backend> table = make_backend_table();
  return table;
}

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const Backend& backend : backend_table()) names.push_back(backend.name);
  return names;
}

const Backend& find_backend(std::string_view name) {
  for (const Backend& backend : backend_table()) {
    if (backend.name == name) return backend;
  }
  fail("unknown backend '{}'; valid choices: {}", name, fmt::join(backend_names(), ", "));
}

void check_batch_shape(const Shape& sample_shape, const Tensor& input) {
  const Shape& shape = input.shape();
  const bool matches = shape.size() == sample_shape.size() + 1 &&
                       std::equal(sample_shape.begin(), sample_shape.end(), shape.begin() + 1);
  if (!matches) {
    fail("model expects input [N, {}], got {}", fmt::join(sample_shape, ", "),
         shape_to_string(shape));
  }
}

}  // namespace slim
