// The graph executor shared by the FP32 backends: one operator per model node, run in
// the model's (topological) order, with activation buffers kept between runs.
//
// Lowering picks each node's operator from kernels/ops/op_table.h; the GEMM-heavy ones
// (linear, conv2d) call the backend's GemmFunction, the cheap elementwise and pooling
// ones reuse the layers' own eval-mode forward.
#pragma once

#include <memory>
#include <string_view>

#include "core/model.h"
#include "kernels/backend.h"
#include "kernels/gemm_function.h"

namespace slim {

// Throws UserError naming `backend`, the node and its layer kind when a node's kind has
// no operator.
std::unique_ptr<Executable> lower_graph(const Model& model, std::string_view backend,
                                        GemmFunction gemm);

}  // namespace slim
