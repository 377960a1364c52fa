// Keeping a subset of channels along one axis of a tensor: the primitive structured
// pruning uses to make layers physically thinner.
#pragma once

#include <span>

#include "core/layer.h"
#include "core/tensor.h"

namespace slim {

// Returns `source` with only the indices `keep` (in that order) along `axis`.
// Throws std::out_of_range on an index outside the axis.
Tensor keep_along_axis(const Tensor& source, int axis, std::span<const int64_t> keep);

// Keeps only the indices `keep` along `axis` of a parameter's value, mask and gradient.
void keep_parameter(Parameter& param, int axis, std::span<const int64_t> keep);

}  // namespace slim
