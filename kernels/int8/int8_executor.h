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
std::unique_ptr<Executable> lower_int8(const Model& model, GemmFunction float_gemm,
                                       const GemmS8Kernel& int8_gemm = selected_gemm_s8_kernel(),
                                       GraphOptions options = {});

}  // namespace slim
