// cuBLAS and cuBLASLt, opened with dlopen on first use rather than linked. Internal to
// kernels/cuda.
//
// Why not link them: slim_kernels (the `cuda` backend's table entry) reaches every
// binary of the project, and merely loading libcublasLt (540 MB) costs each process
// about 0.2 s and 200 MB of memory at start-up (measured on the CI-like VM: an empty
// main linked to it), whether or not it ever multiplies on a GPU. Tests run one process
// per test case and the CLI tests start slimbench many times, so that would add minutes
// to CI. Loaded on demand, only processes that run a cuBLAS GEMM pay.
//
// The headers still come from the toolkit we compile with, so every pointer below has
// the exact type of the function it points to, and the libraries are the same major
// version (libcublas.so.<CUBLAS_VER_MAJOR>).
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>

namespace slim {

struct CublasApi {
  // cuBLAS. cublasGemmEx is named with its C signature: C++ also sees an overload.
  decltype(&cublasCreate_v2) create = nullptr;
  cublasStatus_t (*gemm_ex)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                            const void*, const void*, cudaDataType, int, const void*, cudaDataType,
                            int, const void*, void*, cudaDataType, int, cublasComputeType_t,
                            cublasGemmAlgo_t) = nullptr;
  decltype(&cublasGetStatusName) status_name = nullptr;
  decltype(&cublasGetStatusString) status_string = nullptr;
  // cuBLASLt.
  decltype(&cublasLtCreate) lt_create = nullptr;
  decltype(&cublasLtMatmul) lt_matmul = nullptr;
  decltype(&cublasLtMatmulDescCreate) lt_desc_create = nullptr;
  decltype(&cublasLtMatmulDescDestroy) lt_desc_destroy = nullptr;
  decltype(&cublasLtMatmulDescSetAttribute) lt_desc_set = nullptr;
  decltype(&cublasLtMatrixLayoutCreate) lt_layout_create = nullptr;
  decltype(&cublasLtMatrixLayoutDestroy) lt_layout_destroy = nullptr;
  decltype(&cublasLtMatmulPreferenceCreate) lt_preference_create = nullptr;
  decltype(&cublasLtMatmulPreferenceDestroy) lt_preference_destroy = nullptr;
  decltype(&cublasLtMatmulPreferenceSetAttribute) lt_preference_set = nullptr;
  decltype(&cublasLtMatmulAlgoGetHeuristic) lt_heuristic = nullptr;
};

// Loads both libraries on the first call (looking where the dynamic loader looks, then
// next to the libcudart this program uses) and resolves every function, or throws
// CudaError saying which library or function is missing. Later calls return the same
// table (or throw the same error again).
const CublasApi& cublas_api();

}  // namespace slim
