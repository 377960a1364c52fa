// Int8Tensor: an int8 activation of the integer backend, its codes with their grid.
//
// Tensor (core/tensor.h) is FP32-only by design, so integer activations get this small
// companion: a shape, row-major int8 codes, and the ActivationQuant that maps a code q to
// the real (q - Z) * S. Like the FP32 buffers it is reused between runs: resize() only
// reallocates when the element count grows.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "core/quant/activation_quant.h"
#include "core/tensor.h"

namespace slim {

struct Int8Tensor {
  Shape shape;
  std::vector<int8_t> codes;
  ActivationQuant quant;

  int64_t numel() const { return static_cast<int64_t>(codes.size()); }
  int64_t dim(size_t axis) const { return shape[axis]; }
  int8_t* data() { return codes.data(); }
  const int8_t* data() const { return codes.data(); }

  // Sets the shape, touching the heap only when it differs from the current one (a
  // Shape is a vector, so assigning unconditionally would allocate on every run).
  void resize(std::span<const int64_t> dims) {
    if (std::equal(shape.begin(), shape.end(), dims.begin(), dims.end())) return;
    shape.assign(dims.begin(), dims.end());
    codes.resize(static_cast<size_t>(shape_numel(shape)));
  }
  void resize(std::initializer_list<int64_t> dims) {
    resize(std::span<const int64_t>(dims.begin(), dims.size()));
  }
};

}  // namespace slim
