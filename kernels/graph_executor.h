// The graph executor shared by the FP32 backends: one operator per model node, run in
// the model's (topological) order, with activation buffers kept between runs.
//
// Lowering picks each node's operator from kernels/ops/op_table.h; the GEMM-heavy ones
// (linear, conv2d) call the backend's GemmFunction, the cheap elementwise and pooling
// ones reuse the layers' own eval-mode forward.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "kernels/backend.h"
#include "kernels/gemm_function.h"

namespace slim {

// One fusion, conv2d -> ReLU -> 2x2 max pool: a ReLU that is a convolution's only reader
// runs in the convolution's bias pass (Conv2dOp::fuse_relu), and a 2x2, stride-2,
// unpadded max pool that is the only reader of either runs on each pass of images while
// its output is in cache (Conv2dOp::fuse_max_pool_2x2). At batch 256 each separate pass
// streams a whole activation through memory (lenet-5's conv1 output is 11.8 MB). A node
// that is the model's output is never fused away. The values are the unfused ones bit
// for bit (tests/kernels/executor_test.cpp).
struct GraphOptions {
  bool fuse_conv_chains = true;
  // The int8 executor only (int8_executor.h): images per chunk of a batch; -1 lets it
  // pick (SLIMBENCH_INT8_CHUNK overrides), 0 runs every batch whole.
  int64_t batch_chunk = -1;
};

// Node indices of one fused chain; relu or pool is -1 where that node is not fused.
struct ConvChain {
  int conv;
  int relu = -1;
  int pool = -1;
};

// The chains lower_graph fuses, in node order: from each node of kind `conv_kind`
// ("conv2d"; the int8 executor fuses "qconv2d" chains the same way).
std::vector<ConvChain> fusable_conv_chains(const Model& model,
                                           std::string_view conv_kind = "conv2d");

// Throws UserError naming `backend`, the node and its layer kind when a node's kind has
// no operator.
std::unique_ptr<Executable> lower_graph(const Model& model, std::string_view backend,
                                        GemmFunction gemm, GraphOptions options = {});

}  // namespace slim
