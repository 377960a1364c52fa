// Per-layer quantization sensitivity: which layer hurts when quantized?
//
// For each layer that static PTQ would quantize, the model is quantized with that layer
// alone (every other layer FP32, same calibrated grids) and run in simulation on the test
// split. Two figures per layer:
//  * sqnr_db: 10 log10(sum z^2 / sum (z - z_q)^2) over all logits z of the FP32 model and
//    z_q of the one-layer-quantized model: the error that layer alone injects, as seen
//    at the output;
//  * accuracy: top-1 with only that layer quantized.
// A final row quantizes every layer together.
#pragma once

#include <string>
#include <vector>

#include "core/model.h"
#include "datasets/dataset.h"
#include "methods/quantization/activation_calibration.h"
#include "methods/quantization/quantized_graph.h"

namespace slim {

struct LayerSensitivity {
  std::string layer;  // node name, or "all"
  double sqnr_db = 0.0;
  double accuracy = 0.0;
};

// `folded` is the BN-folded FP32 model and `grids` its calibration.
std::vector<LayerSensitivity> quantization_sensitivity(const Model& folded,
                                                       const ActivationGrids& grids,
                                                       const GraphQuantOptions& options,
                                                       const Dataset& dataset);

nlohmann::json to_json(const std::vector<LayerSensitivity>& table);
std::string format_sensitivity_table(const std::vector<LayerSensitivity>& table);

}  // namespace slim
