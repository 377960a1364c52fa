#include "kernels/int8/dequantize_op.h"

namespace slim {

void dequantize(const Int8Tensor& input, Tensor& output) {
  // Comparing shapes first keeps steady-state runs free of allocation.
  if (output.shape() != input.shape) output.resize(input.shape);
  float* out = output.data();
  for (size_t i = 0; i < input.codes.size(); ++i) out[i] = input.quant.dequantize(input.codes[i]);
}

}  // namespace slim
