// cublas_check: turns a failed cuBLAS / cuBLASLt call into a CudaError.
//
// Internal to kernels/cuda (it includes cuBLAS headers, which the public headers must
// not). cuBLAS and cuBLASLt share the cublasStatus_t codes and their names.
#pragma once

#include <cublas_v2.h>

#include <string_view>

namespace slim {

// Throws CudaError("<what>: <status name>: <description>"); the cold path of cublas_check.
[[noreturn]] void throw_cublas_error(cublasStatus_t status, std::string_view what);

// `what` names the failed call, e.g. "cublasGemmEx (fp32, 64x64x64)".
inline void cublas_check(cublasStatus_t status, std::string_view what) {
  if (status != CUBLAS_STATUS_SUCCESS) throw_cublas_error(status, what);
}

}  // namespace slim
