// static_ptq: post-training quantization with fixed activation grids.
//
// Folds BatchNorm, calibrates every activation on the sweep's calibration set (size and
// seed from the sweep's "calibration"), quantizes the weights, and rewrites the graph
// (methods/quantization/quantized_graph.h). The result runs as integer code on the int8
// backend and as its FP32 simulation on the FP32 backends.
#pragma once

#include "methods/method.h"

namespace slim {

Method static_ptq_method();

}  // namespace slim
