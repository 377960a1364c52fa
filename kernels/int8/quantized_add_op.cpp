#include "kernels/int8/quantized_add_op.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "kernels/int8/common_shift.h"
#include "kernels/int8/fixed_point.h"
#include "kernels/int8/grid_check.h"

namespace slim {

QuantizedAddOp::QuantizedAddOp(const QuantizedAdd& layer)
    : lhs_(layer.lhs()), rhs_(layer.rhs()), output_(layer.output()) {
  const double output_scale = output_.scale;
  const std::array<double, 2> reals = {lhs_.scale / output_scale, rhs_.scale / output_scale};
  const CommonShiftMultipliers shared = common_shift_multipliers(reals);
  lhs_multiplier_ = shared.multipliers[0];
  rhs_multiplier_ = shared.multipliers[1];
  shift_ = shared.shift;
}

int8_t QuantizedAddOp::add(int8_t a, int8_t b) const {
  const int64_t total =
      lhs_multiplier_ * (a - lhs_.zero_point) + rhs_multiplier_ * (b - rhs_.zero_point);
  const int64_t sum = output_.zero_point + rounding_divide_by_pot_int64(total, shift_);
  return static_cast<int8_t>(std::clamp<int64_t>(sum, output_.qmin, output_.qmax));
}

void QuantizedAddOp::run(const Int8Tensor& lhs, const Int8Tensor& rhs, Int8Tensor& output) const {
  if (lhs.shape != rhs.shape) throw std::logic_error("qadd op: the inputs' shapes differ");
  check_codes_fit_grid(lhs.quant, lhs_, "qadd (first input)");
  check_codes_fit_grid(rhs.quant, rhs_, "qadd (second input)");
  output.resize(lhs.shape);
  output.quant = output_;
  for (size_t i = 0; i < lhs.codes.size(); ++i) output.codes[i] = add(lhs.codes[i], rhs.codes[i]);
}

}  // namespace slim
