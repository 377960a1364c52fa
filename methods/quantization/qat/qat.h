// qat: quantization-aware training, ending in the same static integer graph as static PTQ.
//
// Starts from the static-PTQ calibration (BN folded on a copy, activations calibrated
// with the method's activation calibrator), builds the QAT model (qat_graph.h: weight
// and activation fake quantization, BN folding simulated), fine-tunes it, and converts it
// to the static quantized graph, so the result runs on the int8 backend like static PTQ's.
//
// Training follows the practice of REFERENCE.md ("QAT"): the baseline recipe with SGD and
// its momentum, a cosine schedule from lr_scale (default 1%) of the baseline's peak rate,
// for epochs_fraction (default 10%, at least one epoch) of its epochs. BatchNorm normalises
// with batch statistics (updating the running ones) for the first freeze_bn_epoch epochs
// (default 1), then with the frozen running statistics, which the deployed folding uses.
// estimator picks the fake-quant gradient: ste (calibrated grids fixed; weights
// recalibrated by the weight calibrator every step) or lsq (learned scales; the weight
// calibrator is then unused). With `teacher` set ("baseline": the FP32 model), the loss is
// Hinton et al.'s distillation loss against that teacher's logits (temperature, alpha;
// methods/distillation/) instead of cross-entropy alone.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/train/recipe.h"
#include "methods/method.h"

namespace slim {

Method qat_method();

// The fine-tuning recipe for resolved qat `params`: epochs, lr and a seed of its own.
Recipe qat_recipe(const Recipe& baseline, const nlohmann::json& params, uint64_t seed);

}  // namespace slim
