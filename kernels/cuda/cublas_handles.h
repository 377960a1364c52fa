// Process-wide cuBLAS and cuBLASLt handles and cuBLASLt's workspace, created on first
// use for the device current at that moment (device 0 unless the caller chose another).
//
// Internal to kernels/cuda. Creating a handle costs milliseconds and device memory, so
// there is one per process, not one per call. They are never destroyed, on purpose: a
// destructor running at exit can run after the CUDA runtime has torn its context down,
// which crashes on some drivers, and process exit frees them anyway.
//
// Every GEMM in kernels/cuda runs on the legacy default stream through these handles, so
// they are meant for one host thread at a time.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>

#include <cstddef>

namespace slim {

cublasHandle_t cublas_handle();
cublasLtHandle_t cublaslt_handle();

struct CublasLtWorkspace {
  void* data = nullptr;
  std::size_t bytes = 0;
};

// Scratch memory that cublasLtMatmul may use (NVIDIA recommends 32 MiB on Hopper).
CublasLtWorkspace cublaslt_workspace();

}  // namespace slim
