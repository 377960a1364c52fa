// Static activation calibration: runs an FP32 model over the calibration set and gives
// every tensor it produces (the model input and each node's output) an int8 grid.
//
// The calibrators that need a histogram take two passes over the same samples: the
// first fixes each tensor's range, the second fills 2048-bin histograms over it, so the
// result does not depend on the batch size or the order of the samples.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/model.h"
#include "core/quant/activation_quant.h"
#include "datasets/dataset.h"
#include "methods/quantization/calibration/calibrator.h"

namespace slim {

struct ActivationGrids {
  ActivationQuant input;               // the model input's grid
  std::vector<ActivationQuant> nodes;  // per node index: the grid of its output

  // -1 is the model input, as in Node::inputs.
  const ActivationQuant& of(int index) const {
    return index < 0 ? input : nodes.at(static_cast<size_t>(index));
  }
};

// The calibration state of every tensor the model produces: slot 0 is the model input,
// slot i + 1 node i's output. `indices` select samples of dataset.train, in batches of
// `batch_size` in that order; the histogram pass runs only when `with_histograms`.
std::vector<TensorCalibration> observe_activations(Model& model, const Dataset& dataset,
                                                   std::span<const int64_t> indices,
                                                   bool with_histograms, int64_t batch_size = 256);

// The int8 grid that `options` picks from one observed tensor.
ActivationQuant activation_grid(const TensorCalibration& observed,
                                const CalibrationOptions& options);

// How the model input and the tensors the model computes are calibrated. The input is
// apart because its range is fixed by the data pipeline and every later layer depends on
// it: a saturating calibrator can clip it badly where its distribution has a large point
// mass (Fashion-MNIST's normalised background: kl keeps [0, 0.81] and clips the 29 % of
// pixels brighter than that; docs/quantization.md).
struct ActivationCalibrationOptions {
  CalibrationOptions input;
  CalibrationOptions computed;
};

// observe_activations + activation_grid for every tensor.
ActivationGrids calibrate_activations(Model& model, const Dataset& dataset,
                                      std::span<const int64_t> indices,
                                      const ActivationCalibrationOptions& options,
                                      int64_t batch_size = 256);
// The same options for the input and every computed tensor.
ActivationGrids calibrate_activations(Model& model, const Dataset& dataset,
                                      std::span<const int64_t> indices,
                                      const CalibrationOptions& options, int64_t batch_size = 256);

}  // namespace slim
