// What one single-sample inference does, counted for the energy model.
#pragma once

#include <string>

#include "core/model.h"
#include "harness/measure/energy.h"

namespace slim {

// For the FP32 backends: every MAC is an FP32 MAC, the weights are read once from DRAM
// in the form the backend holds them (decoded FP32, even for weight-only quantized
// models: that is what runs), and every activation is written once and read once from
// SRAM. On the int8 backend the MACs of quantized layers are int8 MACs, the weights are
// read as stored (codes and scales), and int8 activations count one byte each. On the
// sparse backend, a Linear layer it runs as CSR or 2:4 counts one MAC per stored weight
// and its weights are read in that format (kernels/sparse/sparse_lowering.h decides).
WorkCounts count_work(Model& model, const std::string& backend);

}  // namespace slim
