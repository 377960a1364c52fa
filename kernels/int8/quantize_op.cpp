#include "kernels/int8/quantize_op.h"

#include <algorithm>
#include <stdexcept>

#include "kernels/int8/common_shift.h"
#include "kernels/int8/fixed_point.h"
#include "kernels/int8/grid_check.h"

namespace slim {

void quantize_values(std::span<const float> values, const ActivationQuant& quant,
                     std::span<int8_t> codes) {
  if (values.size() != codes.size()) throw std::logic_error("quantize_values: size mismatch");
  for (size_t i = 0; i < values.size(); ++i) {
    codes[i] = static_cast<int8_t>(quantize_activation(values[i], quant));
  }
}

void QuantizeOp::run(const Tensor& input, Int8Tensor& output) const {
  output.resize(input.shape());
  output.quant = quant_;
  quantize_values(input.values(), quant_, output.codes);
}

RequantizeOp::RequantizeOp(const ActivationQuant& input, const ActivationQuant& output)
    : input_(input), output_(output) {
  const std::array<double, 1> ratio = {static_cast<double>(input.scale) /
                                       static_cast<double>(output.scale)};
  const CommonShiftMultipliers scale = common_shift_multipliers(ratio);
  const bool same_reals = input.scale == output.scale && input.zero_point == output.zero_point;
  for (int32_t q = -128; q <= 127; ++q) {
    const int64_t moved =
        same_reals
            ? q
            : output.zero_point + rounding_divide_by_pot_int64(
                                      scale.multipliers[0] * (q - input.zero_point), scale.shift);
    table_[static_cast<size_t>(q + 128)] =
        static_cast<int8_t>(std::clamp<int64_t>(moved, output.qmin, output.qmax));
  }
}

void RequantizeOp::run(const Int8Tensor& input, Int8Tensor& output) const {
  check_codes_fit_grid(input.quant, input_, "requantize");
  output.resize(input.shape);
  output.quant = output_;
  for (size_t i = 0; i < input.codes.size(); ++i) {
    output.codes[i] = table_[static_cast<size_t>(input.codes[i] + 128)];
  }
}

}  // namespace slim
