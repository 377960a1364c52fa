// Whether int8 codes produced on one grid can be read by a layer expecting another.
//
// The integer path hands codes from layer to layer without rescaling, so a static layer
// (qlinear, qconv2d, qadd) must be given codes on the grid its FP32 simulation quantizes
// its input onto. Codes fit when the two grids agree on scale and zero point (the same
// reals) and the producer's code range lies within the reader's (so the simulation's
// clamp is the identity); the rounding mode is irrelevant because nothing is rounded.
#pragma once

#include <string_view>

#include "core/quant/activation_quant.h"

namespace slim {

bool codes_fit_grid(const ActivationQuant& produced, const ActivationQuant& expected);

// Throws std::logic_error naming `reader` and both grids unless the codes fit: a graph
// that feeds a static layer codes on another grid is a bug in whoever built it.
void check_codes_fit_grid(const ActivationQuant& produced, const ActivationQuant& expected,
                          std::string_view reader);

}  // namespace slim
