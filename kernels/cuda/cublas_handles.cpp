#include "kernels/cuda/cublas_handles.h"

#include <cuda_runtime_api.h>

#include "kernels/cuda/cublas_check.h"
#include "kernels/cuda/cublas_library.h"
#include "kernels/cuda/cuda_check.h"

namespace slim {
namespace {

constexpr std::size_t kLtWorkspaceBytes = std::size_t{32} << 20;

cublasHandle_t create_cublas_handle() {
  cublasHandle_t handle = nullptr;
  cublas_check(cublas_api().create(&handle), "cublasCreate");
  return handle;
}

cublasLtHandle_t create_cublaslt_handle() {
  cublasLtHandle_t handle = nullptr;
  cublas_check(cublas_api().lt_create(&handle), "cublasLtCreate");
  return handle;
}

CublasLtWorkspace allocate_lt_workspace() {
  CublasLtWorkspace workspace;
  cuda_check(cudaMalloc(&workspace.data, kLtWorkspaceBytes), "cudaMalloc(cuBLASLt workspace)");
  workspace.bytes = kLtWorkspaceBytes;
  return workspace;
}

}  // namespace

// Function-local statics: created once, thread-safely; when creation throws (no device),
// the next call tries again.
cublasHandle_t cublas_handle() {
  static const cublasHandle_t handle = create_cublas_handle();
  return handle;
}

cublasLtHandle_t cublaslt_handle() {
  static const cublasLtHandle_t handle = create_cublaslt_handle();
  return handle;
}

CublasLtWorkspace cublaslt_workspace() {
  static const CublasLtWorkspace workspace = allocate_lt_workspace();
  return workspace;
}

}  // namespace slim
