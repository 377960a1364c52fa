// CPU references for the kernels in elementwise.cu: plain loops, written for obviousness
// rather than speed, since they only exist to check the GPU results.
#include <cmath>
#include <stdexcept>

#include "kernels/cuda/elementwise.h"

namespace slim {

void axpy_reference(float a, std::span<const float> x, std::span<float> y) {
  if (x.size() != y.size()) throw std::invalid_argument("axpy_reference: x and y differ in size");
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = std::fma(a, x[i], y[i]);
}

}  // namespace slim
