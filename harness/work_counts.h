// What one single-sample inference does, counted for the energy model.
#pragma once

#include <string>

#include "core/model.h"
#include "harness/measure/energy.h"

namespace slim {

// For the FP32 backends: every MAC is an FP32 MAC, the weights are read once from DRAM
// in the form the backend holds them (decoded FP32, even for weight-only quantized
// models: that is what runs), and every activation is written once and read once from
// SRAM. Backends that execute other formats extend this with their own counts.
WorkCounts count_work(Model& model, const std::string& backend);

}  // namespace slim
