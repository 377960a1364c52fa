#include "kernels/cuda/cublas_row_major.h"

#include <fmt/format.h>

#include "kernels/cuda/cublas_check.h"
#include "kernels/cuda/cublas_handles.h"
#include "kernels/cuda/cublas_library.h"
#include "kernels/cuda/gemm_problem.h"

namespace slim {
namespace {

std::size_t cublas_output_element_bytes(cudaDataType_t type) {
  return type == CUDA_R_16F ? 2 : 4;  // the outputs used here: FP32, or FP16
}

}  // namespace

void cublas_row_major_gemm(std::string_view who, const CublasGemmTypes& types, int64_t m, int64_t n,
                           int64_t k, const void* a, const void* b, void* c) {
  const GemmDims dims = checked_gemm_dims(who, m, n, k);
  if (dims.empty()) return;
  if (dims.k == 0) {
    zero_device_output(c, dims, cublas_output_element_bytes(types.output));
    return;
  }
  const float one = 1.0f;
  const float zero = 0.0f;
  // The transposition trick of the header: cuBLAS's (m, n) are our (N, M), and the
  // operands swap places.
  cublas_check(
      cublas_api().gemm_ex(cublas_handle(), CUBLAS_OP_N, CUBLAS_OP_N, dims.n, dims.m, dims.k, &one,
                           b, types.inputs, dims.n, a, types.inputs, dims.k, &zero, c, types.output,
                           dims.n, types.compute, CUBLAS_GEMM_DEFAULT),
      fmt::format("cublasGemmEx ({}, M={} N={} K={})", who, m, n, k));
}

}  // namespace slim
