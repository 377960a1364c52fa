// CudaError: a CUDA runtime call failed (out of device memory, a kernel fault, a lost
// device). Thrown by everything in kernels/cuda.
//
// It carries the runtime's error code as a plain int, so this header needs no CUDA
// headers and plain C++ callers can catch it.
#pragma once

#include <stdexcept>
#include <string>

namespace slim {

class CudaError : public std::runtime_error {
 public:
  CudaError(const std::string& message, int code) : std::runtime_error(message), code_(code) {}

  // The cudaError_t value, for callers that want to tell e.g. out-of-memory apart.
  int code() const { return code_; }

 private:
  int code_;
};

}  // namespace slim
