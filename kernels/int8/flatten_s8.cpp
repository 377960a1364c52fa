#include "kernels/int8/flatten_s8.h"

#include <algorithm>
#include <stdexcept>

namespace slim {

void flatten_s8(const Int8Tensor& input, Int8Tensor& output) {
  if (input.shape.empty()) throw std::logic_error("flatten (int8): input has no batch axis");
  const int64_t batch = input.dim(0);
  output.resize({batch, batch == 0 ? 0 : input.numel() / batch});
  output.quant = input.quant;
  std::copy(input.codes.begin(), input.codes.end(), output.codes.begin());
}

}  // namespace slim
