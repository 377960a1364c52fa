// Host-side conveniences for the elementwise kernels: slim::Tensor in, slim::Tensor out.
//
// Each call copies its inputs to the GPU, runs the kernel and copies the result back,
// so it suits tests and one-off use; chains of GPU work should keep DeviceArrays.
#pragma once

#include "core/tensor.h"

namespace slim {

// y = a * x + y on the GPU. Shapes must match (std::invalid_argument); empty tensors
// need no GPU. Throws CudaError when the GPU work fails (including: no device).
void cuda_axpy(float a, const Tensor& x, Tensor& y);

}  // namespace slim
