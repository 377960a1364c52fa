#include "kernels/ops/op_table.h"

#include <array>
#include <stdexcept>

#include "core/layers/conv2d.h"
#include "core/layers/linear.h"
#include "kernels/ops/conv2d_op.h"
#include "kernels/ops/layer_forward_op.h"
#include "kernels/ops/linear_op.h"

namespace slim {
namespace {

// A layer whose kind() says "linear" must be a Linear; anything else is a programming
// error, not bad input.
template <typename Concrete>
const Concrete& expect_layer(const Layer& layer) {
  const auto* concrete = dynamic_cast<const Concrete*>(&layer);
  if (!concrete) {
    throw std::logic_error("op table: layer kind '" + layer.kind() +
                           "' is implemented by a class the table does not expect");
  }
  return *concrete;
}

std::unique_ptr<Op> make_linear(const Layer& layer, GemmFunction gemm) {
  return std::make_unique<LinearOp>(expect_layer<Linear>(layer), gemm);
}

std::unique_ptr<Op> make_conv2d(const Layer& layer, GemmFunction gemm) {
  return std::make_unique<Conv2dOp>(expect_layer<Conv2d>(layer), gemm);
}

std::unique_ptr<Op> make_layer_forward(const Layer& layer, GemmFunction /*gemm*/) {
  return std::make_unique<LayerForwardOp>(layer);
}

struct OpTableEntry {
  std::string_view kind;
  OpFactory make;
};

// Cheap, loop-only layers run their own eval-mode forward on every FP32 backend; only
// the GEMM layers are lowered to the backend's GEMM. The quantized layers (quantize,
// dequantize, qlinear, qconv2d, qadd) also run their own forward, which is their FP32
// fake-quant simulation: on an FP32 backend a quantized model computes what the integer
// path computes (within one output code), in floats. The int8 backend
// (kernels/int8/int8_executor.h) runs those kinds as integer code instead.
constexpr std::array kOpTable = {
    OpTableEntry{"linear", make_linear},
    OpTableEntry{"conv2d", make_conv2d},
    OpTableEntry{"batchnorm1d", make_layer_forward},
    OpTableEntry{"batchnorm2d", make_layer_forward},
    OpTableEntry{"relu", make_layer_forward},
    OpTableEntry{"maxpool2d", make_layer_forward},
    OpTableEntry{"avgpool2d", make_layer_forward},
    OpTableEntry{"global_avgpool", make_layer_forward},
    OpTableEntry{"flatten", make_layer_forward},
    OpTableEntry{"add", make_layer_forward},
    OpTableEntry{"dropout", make_layer_forward},
    OpTableEntry{"quantize", make_layer_forward},
    OpTableEntry{"dequantize", make_layer_forward},
    OpTableEntry{"qlinear", make_layer_forward},
    OpTableEntry{"qconv2d", make_layer_forward},
    OpTableEntry{"qadd", make_layer_forward},
};

}  // namespace

OpFactory find_op_factory(std::string_view kind) {
  for (const OpTableEntry& entry : kOpTable) {
    if (entry.kind == kind) return entry.make;
  }
  return nullptr;
}

}  // namespace slim
