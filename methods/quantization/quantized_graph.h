// The graph rewrite from a (BN-folded) FP32 model to a quantized one.
//
// Static scheme: every selected conv2d/linear becomes qconv2d/qlinear whose input and
// output grids come from calibration. A ReLU that alone consumes such a layer (or a
// residual add) is fused into its output clamp. A residual add of two int8 tensors
// becomes qadd, which requantizes both onto the sum's grid. Max pooling, flatten and
// ReLU stay in the integer domain on their input's grid; a global average pool does too,
// followed by a "quantize" onto the same grid so that the FP32 simulation rounds the mean
// where the integer path does. Quantize nodes are inserted where an FP32 tensor feeds a
// quantized layer (the model input, or a layer kept in FP32), and one dequantize node ends
// an integer output. Dropout (an identity at inference) is dropped.
//
// Dynamic scheme: the selected layers become dynamic qconv2d/qlinear (FP32 in and out,
// input grid per batch); the rest of the graph is unchanged.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/quant/quantized_linear.h"
#include "methods/quantization/activation_calibration.h"
#include "methods/quantization/weight_quantizer.h"

namespace slim {

struct GraphQuantOptions {
  WeightQuantOptions weights;
  // Keep the first and last conv2d/linear of the graph in FP32, a common choice at low
  // bit widths where those two layers are the most sensitive.
  bool keep_first_last_fp32 = false;
  // Weights already quantized elsewhere (QAT's learned scales), by node name; these nodes
  // skip the weight calibrator.
  std::map<std::string, std::shared_ptr<const QuantizedWeight>> weights_by_node;
  // When not empty, only these conv2d/linear nodes are quantized and residual adds stay
  // FP32 (sensitivity analysis).
  std::set<std::string> only_layers;
};

// Indices of the conv2d/linear nodes that will be quantized, in graph order.
std::vector<int> quantized_layer_indices(const Model& model, const GraphQuantOptions& options);

// The tensors whose grids the static rewrite reads, as node indices of `folded` (-1 is
// the model input), in first-use order. QAT places its activation fake-quant nodes there.
std::vector<int> static_grid_points(const Model& folded, const GraphQuantOptions& options);

// `grids` must come from calibrating `folded` itself (activation_calibration.h).
Model build_static_quantized(const Model& folded, const ActivationGrids& grids,
                             const GraphQuantOptions& options);
Model build_dynamic_quantized(const Model& folded, DynamicRange range, Rounding rounding,
                              const GraphQuantOptions& options);

}  // namespace slim
