// Weight initialisation: He (Kaiming) normal, std = sqrt(2 / fan_in), for linear and
// convolution weights, zero biases; BatchNorm back to gamma = 1, beta = 0, running mean 0,
// variance 1 and unfrozen, so re-initialising a trained model (pruning at initialisation,
// a distillation student retrained from scratch) leaves no trained state behind.
// He initialisation suits the ReLU networks of the zoo; the seed fixes every value.
#pragma once

#include "core/model.h"
#include "core/rng.h"

namespace slim {

void init_parameters(Model& model, Rng& rng);

}  // namespace slim
