#include "kernels/int8/relu_s8.h"

#include <algorithm>

namespace slim {

void relu_s8(const Int8Tensor& input, Int8Tensor& output) {
  output.resize(input.shape);
  output.quant = input.quant.with_relu();
  const auto zero = static_cast<int8_t>(output.quant.qmin);
  for (size_t i = 0; i < input.codes.size(); ++i) {
    output.codes[i] = std::max(input.codes[i], zero);
  }
}

}  // namespace slim
