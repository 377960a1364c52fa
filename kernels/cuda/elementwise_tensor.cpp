#include "kernels/cuda/elementwise_tensor.h"

#include <fmt/format.h>

#include <stdexcept>

#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/elementwise.h"

namespace slim {

void cuda_axpy(float a, const Tensor& x, Tensor& y) {
  if (!x.same_shape(y)) {
    throw std::invalid_argument(fmt::format("cuda_axpy: x has shape {} but y has shape {}",
                                            shape_to_string(x.shape()),
                                            shape_to_string(y.shape())));
  }
  const DeviceArray<float> x_device(x.values());
  DeviceArray<float> y_device(y.values());
  cuda_axpy(a, x_device, y_device);
  y_device.download(y.values());
}

}  // namespace slim
