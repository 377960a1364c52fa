#include "kernels/cuda/cublas_library.h"

#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "kernels/cuda/cuda_error.h"

namespace slim {
namespace {

// Where this process's libcudart lives: the toolkit's library folder, which holds cuBLAS
// too even when the dynamic loader's search path does not include it.
std::filesystem::path cudart_folder() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&cudaRuntimeGetVersion), &info) == 0 ||
      info.dli_fname == nullptr) {
    return {};
  }
  return std::filesystem::path(info.dli_fname).parent_path();
}

// Never dlclose'd: the handles made from it live until the process exits.
void* open_cuda_library(const std::string& soname, std::string& error) {
  if (void* library = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL)) return library;
  const char* first_error = dlerror();
  const std::string first = first_error != nullptr ? first_error : "dlopen failed";
  if (const std::filesystem::path folder = cudart_folder(); !folder.empty()) {
    if (void* library = dlopen((folder / soname).c_str(), RTLD_NOW | RTLD_LOCAL)) return library;
  }
  if (error.empty()) {
    error = fmt::format("cannot load {} (the CUDA toolkit's BLAS): {}", soname, first);
  }
  return nullptr;
}

template <typename Function>
void resolve_cublas_symbol(void* library, const char* name, Function& function,
                           std::string& error) {
  if (library == nullptr) return;
  function = reinterpret_cast<Function>(dlsym(library, name));
  if (function == nullptr && error.empty()) {
    error = fmt::format("the loaded cuBLAS has no {} (version mismatch?)", name);
  }
}

struct LoadedCublas {
  CublasApi api;
  std::string error;  // empty when every function was found
};

LoadedCublas load_cublas() {
  LoadedCublas loaded;
  std::string& error = loaded.error;
  CublasApi& api = loaded.api;
  const std::string major = std::to_string(CUBLAS_VER_MAJOR);
  // libcublas finds libcublasLt next to itself ($ORIGIN), so open it first.
  void* blas = open_cuda_library("libcublas.so." + major, error);
  void* lt = open_cuda_library("libcublasLt.so." + major, error);
  resolve_cublas_symbol(blas, "cublasCreate_v2", api.create, error);
  resolve_cublas_symbol(blas, "cublasGemmEx", api.gemm_ex, error);
  resolve_cublas_symbol(blas, "cublasGetStatusName", api.status_name, error);
  resolve_cublas_symbol(blas, "cublasGetStatusString", api.status_string, error);
  resolve_cublas_symbol(lt, "cublasLtCreate", api.lt_create, error);
  resolve_cublas_symbol(lt, "cublasLtMatmul", api.lt_matmul, error);
  resolve_cublas_symbol(lt, "cublasLtMatmulDescCreate", api.lt_desc_create, error);
  resolve_cublas_symbol(lt, "cublasLtMatmulDescDestroy", api.lt_desc_destroy, error);
  resolve_cublas_symbol(lt, "cublasLtMatmulDescSetAttribute", api.lt_desc_set, error);
  resolve_cublas_symbol(lt, "cublasLtMatrixLayoutCreate", api.lt_layout_create, error);
  resolve_cublas_symbol(lt, "cublasLtMatrixLayoutDestroy", api.lt_layout_destroy, error);
  resolve_cublas_symbol(lt, "cublasLtMatmulPreferenceCreate", api.lt_preference_create, error);
  resolve_cublas_symbol(lt, "cublasLtMatmulPreferenceDestroy", api.lt_preference_destroy, error);
  resolve_cublas_symbol(lt, "cublasLtMatmulPreferenceSetAttribute", api.lt_preference_set, error);
  resolve_cublas_symbol(lt, "cublasLtMatmulAlgoGetHeuristic", api.lt_heuristic, error);
  return loaded;
}

}  // namespace

const CublasApi& cublas_api() {
  static const LoadedCublas loaded = load_cublas();
  // cudaErrorSharedObjectInitFailed: the closest runtime code for "a library is missing".
  if (!loaded.error.empty()) {
    throw CudaError(loaded.error, static_cast<int>(cudaErrorSharedObjectInitFailed));
  }
  return loaded.api;
}

}  // namespace slim
