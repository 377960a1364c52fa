// Elementwise GPU kernels, each with a plain CPU reference that tests compare against.
//
// axpy: y = a * x + y (the BLAS name), computed as one fused multiply-add per element
// on both sides, so GPU and CPU round identically and differences mean bugs.
#pragma once

#include <cstddef>
#include <span>

#include "kernels/cuda/device_buffer.h"

namespace slim {

// On device pointers (n floats each; x and y must not overlap). Enqueued on the default
// stream and returns before the kernel finishes; the next blocking copy waits for it
// and reports any failure as CudaError. n == 0 launches nothing.
void cuda_axpy(float a, const float* x_device, float* y_device, std::size_t n);

// The same on DeviceArrays, with sizes checked (std::invalid_argument).
void cuda_axpy(float a, const DeviceArray<float>& x, DeviceArray<float>& y);

// CPU reference: y[i] = fma(a, x[i], y[i]); sizes must match (std::invalid_argument).
void axpy_reference(float a, std::span<const float> x, std::span<float> y);

}  // namespace slim
