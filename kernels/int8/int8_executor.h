// The int8 backend's executor: quantized layers run as integer code (kernels/int8), every
// other layer as the FP32 graph executor would run it, through `float_gemm`.
//
// Lowering walks model.nodes() in order and decides, per node, whether its output is
// FP32 or int8 codes on a known grid (the model input is FP32):
//   quantize              -> int8 (from FP32: quantize; from int8: requantize, or copy
//                            when the grids agree)
//   qlinear, qconv2d      -> static: int8 on the scheme's output grid; an FP32 input is
//                            quantized onto the scheme's input grid first, exactly as the
//                            simulation does. Dynamic: FP32 (per-batch input grid).
//   qadd                  -> int8; both inputs must be int8 on the layer's grids
//   dequantize            -> FP32
//   maxpool2d, flatten, global_avgpool on int8 -> int8 on the same grid; relu -> the
//                            same grid with qmin raised to Z (ActivationQuant::with_relu)
//   anything else         -> FP32, through kernels/ops/op_table.h; int8 inputs are
//                            dequantized first (an implicit boundary, so mixed-precision
//                            models with FP32 first/last layers run)
// The output is FP32 (dequantized when the last node is int8). A static layer whose int8
// input is on another grid than its scheme's is a broken graph: std::logic_error. A layer
// kind nothing can run, or a layer the integer kernels cannot hold (K > 2^15), is a
// UserError naming the node. Runs at an unchanged batch size allocate nothing.
#pragma once

#include <memory>
#include <string>

#include "core/model.h"
#include "kernels/backend.h"
#include "kernels/gemm_function.h"
#include "kernels/graph_executor.h"
#include "kernels/int8/gemm_s8_kernel.h"

namespace slim {

// `int8_gemm` must outlive the plan (the variants live in gemm_s8_kernels()); by default
// the variant selected_gemm_s8_kernel() picks for this CPU. With options.fuse_conv_chains
// (the default), a static qconv2d's chain of ReLU and 2x2 max pool (fusable_conv_chains(),
// graph_executor.h) runs as one step, QuantizedConv2dOp with ConvFusion: the same codes
// as the unfused steps, bit for bit (tests/quant/int8_executor_test.cpp).
//
// Batches in chunks: a plan whose every step treats images independently (static integer
// layers, quantize and dequantize, int8 pooling, ReLU, flatten and qadd; no dynamic layer,
// whose grid is the whole batch's, and no FP32 op, whose GEMM may round differently at
// another batch size) runs a batch whose largest value (what one step writes; the FP32
// input counts) outgrows kInt8SplitBytes a chunk of images at a time, each chunk holding
// about kInt8ChunkBytes of it, so that each layer's output is still in L2 when the next
// layer reads it. On Zen 5 (1 MiB L2) resnet-8 at batch 256 streamed every whole-batch
// activation (3.2 MB) through L3: 52-60 us per image against 50 us at batch 1, and 49-51
// us in chunks of 20. Smaller values stay whole: lenet-5's (its pools are fused) are
// 0.8 MB at batch 256, and chunks of it ran 2-4% slower, because each chunk streams the
// Linear weights again. The outputs are the same bit for bit either way
// (tests/quant/int8_executor_test.cpp). options.batch_chunk, else the environment
// variable SLIMBENCH_INT8_CHUNK (0: whole batches; N: chunks of N images for any larger
// batch), overrides the rule.
inline constexpr int64_t kInt8ChunkBytes = int64_t{256} * 1024;
inline constexpr int64_t kInt8SplitBytes = int64_t{1024} * 1024;

std::unique_ptr<Executable> lower_int8(const Model& model, GemmFunction float_gemm,
                                       const GemmS8Kernel& int8_gemm = selected_gemm_s8_kernel(),
                                       GraphOptions options = {});

// How batches are split, for the backend's variant string: "whole", "N images" (forced),
// or the automatic rule.
std::string int8_batch_chunking_description();

}  // namespace slim
