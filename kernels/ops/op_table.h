// The lowering table: which operator runs each layer kind (core/layer_registry.cpp's
// names). A layer kind missing here is one the FP32 backends cannot run.
#pragma once

#include <memory>
#include <string_view>

#include "core/layer.h"
#include "kernels/gemm_function.h"
#include "kernels/ops/op.h"

namespace slim {

using OpFactory = std::unique_ptr<Op> (*)(const Layer& layer, GemmFunction gemm);

// Null when no operator handles `kind`.
OpFactory find_op_factory(std::string_view kind);

}  // namespace slim
