#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "core/error.h"
#include "kernels/backend.h"
#include "kernels/cpu/gemm_eigen.h"
#include "kernels/cpu/gemm_openblas.h"
#include "kernels/graph_executor.h"
#include "kernels/int8/int8_executor.h"
#include "kernels/reference/gemm_reference.h"

namespace slim {
namespace {

std::string always_available() {
  return "";
}

// The three FP32 backends share the graph executor and differ only in their GEMM.
Backend fp32_backend(std::string name, std::string description, GemmFunction gemm) {
  auto lower = [name, gemm](const Model& model) { return lower_graph(model, name, gemm); };
  return {std::move(name), std::move(description), always_available, std::move(lower)};
}

std::vector<Backend> make_backend_table() {
  std::vector<Backend> table;
  table.push_back(fp32_backend(
      "reference", "FP32, plain-loop GEMM, single-threaded: the ground truth", gemm_reference));
  table.push_back(
      fp32_backend("eigen", "FP32, Eigen GEMM (OpenMP threads, --threads)", gemm_eigen));
  table.push_back(fp32_backend("openblas",
                               "FP32, OpenBLAS SGEMM split across OpenMP threads (as in training)",
                               gemm_openblas));
  // Integer execution of the quantized layers; the layers left in FP32 (and the FP32
  // simulation's boundaries) go through OpenBLAS, as on the openblas backend.
  table.push_back(Backend{"int8",
                          "INT8 integer execution of quantized layers (reference loops); FP32 "
                          "layers through OpenBLAS",
                          always_available,
                          [](const Model& model) { return lower_int8(model, gemm_openblas); }});
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
