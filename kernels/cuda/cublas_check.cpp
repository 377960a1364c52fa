#include "kernels/cuda/cublas_check.h"

#include <fmt/format.h>

#include "kernels/cuda/cublas_library.h"
#include "kernels/cuda/cuda_error.h"

namespace slim {

void throw_cublas_error(cublasStatus_t status, std::string_view what) {
  // CudaError's code is the cublasStatus_t here, not a cudaError_t: the two numberings
  // overlap, so the message (which names the status) is what tells them apart.
  // The status came from the loaded library, so cublas_api() returns without throwing.
  throw CudaError(fmt::format("{}: {}: {}", what, cublas_api().status_name(status),
                              cublas_api().status_string(status)),
                  static_cast<int>(status));
}

}  // namespace slim
