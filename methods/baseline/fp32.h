// fp32: the identity step. A pipeline of just this step is the uncompressed baseline
// every other row of a table is compared against.
#pragma once

#include "methods/method.h"

namespace slim {

Method fp32_method();

}  // namespace slim
