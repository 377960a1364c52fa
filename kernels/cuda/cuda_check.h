// cuda_check: turns a failed CUDA runtime call into a CudaError.
//
// Internal to kernels/cuda: it includes the CUDA runtime header, which the public
// headers must not, so that plain C++ translation units can include those.
#pragma once

#include <cuda_runtime_api.h>

#include <string_view>

namespace slim {

// Throws CudaError("<what>: <error name>: <description>"); the cold path of cuda_check.
[[noreturn]] void throw_cuda_error(cudaError_t status, std::string_view what);

// `what` names the failed operation, e.g. "cudaMalloc(4096 bytes)".
inline void cuda_check(cudaError_t status, std::string_view what) {
  if (status != cudaSuccess) throw_cuda_error(status, what);
}

}  // namespace slim
