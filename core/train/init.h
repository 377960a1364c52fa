// Weight initialisation: He (Kaiming) normal, std = sqrt(2 / fan_in), for linear and
// convolution weights, zero biases; BatchNorm starts at gamma = 1, beta = 0.
// He initialisation suits the ReLU networks of the zoo; the seed fixes every value.
#pragma once

#include "core/model.h"
#include "core/rng.h"

namespace slim {

void init_parameters(Model& model, Rng& rng);

}  // namespace slim
