// Op: one lowered model node. It owns copies of the weights it needs and its scratch
// buffers, so running it again with the same batch size allocates nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "core/tensor.h"

namespace slim {

class Op {
 public:
  virtual ~Op() = default;
  // `output` is the executor's buffer for this node; the op resizes it (a no-op when the
  // shape is unchanged) and overwrites it.
  virtual void run(std::span<const Tensor* const> inputs, Tensor& output) = 0;
};

// Resizes `tensor` only when its shape differs. Tensor::resize takes a Shape by value,
// so calling it unconditionally would allocate a small vector on every timed run.
inline void ensure_shape(Tensor& tensor, std::initializer_list<int64_t> dims) {
  const Shape& shape = tensor.shape();
  if (!std::equal(shape.begin(), shape.end(), dims.begin(), dims.end())) tensor.resize(Shape(dims));
}

}  // namespace slim
