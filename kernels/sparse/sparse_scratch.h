// SparseScratch: the buffers the batched sparse kernels reuse between calls, owned by the
// caller (the op), so a run at an unchanged batch size allocates nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/sparse/aligned_floats.h"

namespace slim {

struct SparseScratch {
  AlignedFloats x_t;                  // X^T in tiles of samples
  AlignedFloats y_t;                  // one tile of Y^T, [rows, tile samples]
  std::vector<int32_t> block_starts;  // CSR: per row, where each column block's entries start
};

}  // namespace slim
