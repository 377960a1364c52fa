// The graph executor shared by the FP32 backends: one operator per model node, run in
// the model's (topological) order, with activation buffers kept between runs.
//
// Lowering picks each node's operator from kernels/ops/op_table.h; the GEMM-heavy ones
// (linear, conv2d) call the backend's GemmFunction, the cheap elementwise and pooling
// ones reuse the layers' own eval-mode forward.
#pragma once

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.h"
#include "kernels/backend.h"
#include "kernels/gemm_function.h"

namespace slim {

// One fusion: a ReLU whose input is a conv2d that nothing else reads, and that is not the
// model's output, runs inside the convolution's bias pass (Conv2dOp::fuse_relu): at
// batch 256 a separate ReLU streams the whole activation through memory once more. The
// values are the unfused ones bit for bit (tests/kernels/executor_test.cpp).
struct GraphOptions {
  bool fuse_conv_relu = true;
};

// The (conv2d node, relu node) pairs lower_graph fuses.
std::vector<std::pair<int, int>> fusable_conv_relu_pairs(const Model& model);

// Throws UserError naming `backend`, the node and its layer kind when a node's kind has
// no operator.
std::unique_ptr<Executable> lower_graph(const Model& model, std::string_view backend,
                                        GemmFunction gemm, GraphOptions options = {});

}  // namespace slim
