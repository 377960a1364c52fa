// AlignedFloats: float storage that starts on a cache line, for the sparse formats'
// values and the kernels' scratch, so AVX2 loads of 8 floats never split a line when
// the offset is a multiple of 8.
#pragma once

#include <vector>

#include "core/aligned_allocator.h"

namespace slim {

using AlignedFloats = std::vector<float, AlignedAllocator<float, 64>>;

}  // namespace slim
