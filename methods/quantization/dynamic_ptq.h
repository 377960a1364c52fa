// dynamic_ptq: weights quantized offline; each run quantizes a layer's input with a grid
// computed from that batch (abs_max or min_max) and returns FP32. No calibration set.
#pragma once

#include "methods/method.h"

namespace slim {

Method dynamic_ptq_method();

}  // namespace slim
