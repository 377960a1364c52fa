#include "kernels/cuda/cuda_check.h"

#include <string>

#include "kernels/cuda/cuda_error.h"

namespace slim {

void throw_cuda_error(cudaError_t status, std::string_view what) {
  // Reading the error resets it (unless it is sticky), so it does not resurface in an
  // unrelated later launch check after the caller has handled this exception.
  (void)cudaGetLastError();
  std::string message(what);
  message += ": ";
  message += cudaGetErrorName(status);
  message += ": ";
  message += cudaGetErrorString(status);
  throw CudaError(message, static_cast<int>(status));
}

}  // namespace slim
