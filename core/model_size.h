// Stored size of a model as deployed: the one place sizes are computed.
//
// A parameter with a ParameterStorage (int8 codes, packed int4, sparse) counts that
// storage's bytes; any other parameter, and every buffer (BatchNorm running statistics,
// which an unfolded model ships), counts 4 bytes per FP32 value.
#pragma once

#include <cstdint>

#include "core/model.h"

namespace slim {

int64_t stored_bytes(Model& model);
// The same model with every parameter stored as plain FP32: the denominator of a
// compression ratio.
int64_t fp32_bytes(Model& model);

}  // namespace slim
