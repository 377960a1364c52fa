// QuantizedLinearOp: a qlinear layer (core/quant/quantized_linear.h) as integer code.
//
// Static scheme: int8 [N, in] on the scheme's input grid -> int8 [N, out] on its output
// grid; the input rows are the GEMM's rows directly. Dynamic scheme: FP32 [N, in] ->
// the batch's grid (dynamic_input_quant over the whole batch, as the simulation picks
// it) -> int8 codes -> FP32 [N, out]. The arithmetic is QuantizedGemmLayer's.
#pragma once

#include <cstdint>
#include <vector>

#include "core/quant/quantized_linear.h"
#include "core/tensor.h"
#include "kernels/int8/int8_tensor.h"
#include "kernels/int8/quantized_gemm_layer.h"

namespace slim {

class QuantizedLinearOp {
 public:
  QuantizedLinearOp(const QuantizedLinear& layer, const GemmS8Kernel& gemm);

  const QuantScheme& scheme() const { return scheme_; }
  // Static scheme. Throws std::logic_error when the input's grid is not the scheme's.
  void run(const Int8Tensor& input, Int8Tensor& output);
  // Dynamic scheme.
  void run(const Tensor& input, Tensor& output);

 private:
  void check_input_shape(const Shape& shape) const;

  QuantScheme scheme_;
  int64_t in_features_;
  int64_t out_features_;
  QuantizedGemmLayer gemm_;
  std::vector<int8_t> dynamic_codes_;  // the FP32 input quantized on its batch's grid
};

}  // namespace slim
