// The activation store of the int8 executor: per model node an FP32 Tensor and an
// Int8Tensor, of which lowering decides which one the node writes (ValueKind).
//
// An int8 node whose value an FP32 consumer reads (or that ends the model) also gets its
// `real` buffer filled, by an implicit dequantize step that lowering inserts once per
// such node. The model input (node -1) is FP32 and is read in place, never copied.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <vector>

#include "core/quant/activation_quant.h"
#include "core/tensor.h"
#include "kernels/int8/int8_tensor.h"

namespace slim {

// What a node's output holds, fixed at lowering: FP32 values, or int8 codes on `grid`.
struct ValueKind {
  bool is_int8 = false;
  ActivationQuant grid;  // meaningful when is_int8
};

class Int8Values {
 public:
  explicit Int8Values(size_t nodes) : reals_(nodes), codes_(nodes) {}

  void set_input(const Tensor& input) { input_ = &input; }

  // `node` -1 is the model input.
  const Tensor& real(int node) const { return node < 0 ? *input_ : reals_[index(node)]; }
  const Int8Tensor& codes(int node) const {
    if (node < 0) throw std::logic_error("int8 executor: the model input has no int8 codes");
    return codes_[index(node)];
  }
  Tensor& real_output(int node) { return reals_[index(node)]; }
  Int8Tensor& codes_output(int node) { return codes_[index(node)]; }

 private:
  static size_t index(int node) { return static_cast<size_t>(node); }

  const Tensor* input_ = nullptr;
  std::vector<Tensor> reals_;
  std::vector<Int8Tensor> codes_;
};

}  // namespace slim
