#include "core/channel_slice.h"

#include <algorithm>
#include <stdexcept>

namespace slim {

Tensor keep_along_axis(const Tensor& source, int axis, std::span<const int64_t> keep) {
  if (axis < 0) axis += source.rank();
  const int64_t extent = source.dim(axis);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= source.dim(i);
  for (int i = axis + 1; i < source.rank(); ++i) inner *= source.dim(i);
  Shape shape = source.shape();
  shape[static_cast<size_t>(axis)] = static_cast<int64_t>(keep.size());
  Tensor out(shape);
  float* dst = out.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t index : keep) {
      if (index < 0 || index >= extent) throw std::out_of_range("keep_along_axis: bad index");
      const float* src = source.data() + (o * extent + index) * inner;
      dst = std::copy_n(src, inner, dst);
    }
  }
  return out;
}

void keep_parameter(Parameter& param, int axis, std::span<const int64_t> keep) {
  param.value = keep_along_axis(param.value, axis, keep);
  if (param.has_mask()) param.mask = keep_along_axis(param.mask, axis, keep);
  if (!param.grad.empty()) param.grad = keep_along_axis(param.grad, axis, keep);
}

}  // namespace slim
