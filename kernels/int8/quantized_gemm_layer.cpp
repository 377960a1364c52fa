#include "kernels/int8/quantized_gemm_layer.h"

#include <algorithm>
#include <stdexcept>

namespace slim {

namespace {

// The folded requantizer's per-group constants in the GEMM's layout: multipliers [G][O]
// (31-bit, so int32), and each group's weight sums for the variant's unsigned shift.
GroupedColumnRequantization grouped_output_stage(const StaticRequantizer& folded,
                                                 int64_t group_size,
                                                 const std::vector<int32_t>& weight_sums) {
  const GroupedRequantization constants = folded.grouped_constants();
  const int64_t groups = constants.groups;
  const auto channels = static_cast<int64_t>(constants.shifts.size());
  GroupedColumnRequantization stage;
  stage.group_size = group_size;
  stage.multipliers.resize(static_cast<size_t>(groups * channels));
  for (int64_t o = 0; o < channels; ++o) {
    for (int64_t g = 0; g < groups; ++g) {
      stage.multipliers[static_cast<size_t>(g * channels + o)] =
          static_cast<int32_t>(constants.multipliers[static_cast<size_t>(o * groups + g)]);
    }
  }
  stage.weight_sums = weight_sums;
  stage.shifts = constants.shifts;
  stage.biases = constants.scaled_biases;
  stage.zero_point = constants.zero_point;
  stage.qmin = constants.qmin;
  stage.qmax = constants.qmax;
  return stage;
}

bool takes_fused_groups(const QuantizedWeight& weight, const QuantScheme& scheme,
                        const GemmS8Kernel& gemm, bool linear) {
  return linear && scheme.is_static() && QuantizedGemm::can_fuse_groups(weight, gemm);
}

}  // namespace

QuantizedGemmLayer::QuantizedGemmLayer(const QuantizedWeight& weight,
                                       const std::vector<float>& bias, const QuantScheme& scheme,
                                       const GemmS8Kernel& gemm, bool linear)
    : gemm_(weight, gemm, takes_fused_groups(weight, scheme, gemm, linear)) {
  if (scheme.is_static()) {
    requantizer_.emplace(weight, bias, *scheme.fixed);
    const int32_t input_zero_point = scheme.fixed->input.zero_point;
    accumulated_zero_point_ = input_zero_point;
    if (weight.groups_per_row() == 1) {
      folded_ = gemm_.folded_requantization(requantizer_->row_constants(), input_zero_point);
    } else if (gemm_.symmetric_weights()) {
      requantizer_ = requantizer_->with_input_zero_point_folded(input_zero_point,
                                                                gemm_.weight_sums_by_group());
      accumulated_zero_point_ = 0;
      if (takes_fused_groups(weight, scheme, gemm, linear)) {
        grouped_ =
            grouped_output_stage(*requantizer_, weight.group_size(), gemm_.weight_sums_by_group());
        // The values once here; the GEMM checks only the sizes on every call.
        check_grouped_requantization(*grouped_, gemm_.out_channels(), gemm_.depth());
      }
    }
    return;
  }
  weight_scales_.assign(weight.scales().begin(), weight.scales().end());
  bias_.assign(static_cast<size_t>(weight.rows()), 0.0);
  std::copy(bias.begin(), bias.end(), bias_.begin());
}

void QuantizedGemmLayer::run_static(const int8_t* rows, int64_t row_count, int64_t pixels,
                                    int8_t* out) {
  if (!requantizer_) throw std::logic_error("int8 GEMM layer: run_static on a dynamic layer");
  if (folded_ && pixels == 1) {  // Linear: rows and output are both [N, O]
    gemm_.multiply_requantize(rows, row_count, *folded_, out);
    return;
  }
  if (grouped_) {
    if (pixels != 1) throw std::logic_error("int8 GEMM layer: a Linear layer run with pixels");
    gemm_.multiply_grouped_requantize(rows, row_count, *grouped_, out);
    return;
  }
  gemm_.accumulate(rows, row_count, accumulated_zero_point_);
  const int32_t* acc = gemm_.accumulators();
  const int64_t channels = out_channels();
  const bool single_group = gemm_.groups() == 1;
  if (single_group && pixels == 1) {  // Linear: rows and output are both [N, O]
    for (int64_t r = 0; r < row_count; ++r) {
      requantizer_->requantize_row(acc + r * channels, out + r * channels);
    }
    return;
  }
  // Convolution: row r is pixel r % pixels of image r / pixels, written to NCHW.
  if (single_group) {
    for (int64_t image = 0; image * pixels < row_count; ++image) {
      requantizer_->requantize_columns(acc + image * pixels * channels, pixels,
                                       out + image * channels * pixels);
    }
    return;
  }
  codes_.resize(static_cast<size_t>(channels));
  const int64_t stride = gemm_.group_stride();
  for (int64_t image = 0; image * pixels < row_count; ++image) {
    int8_t* image_out = out + image * channels * pixels;
    for (int64_t p = 0; p < pixels; ++p) {
      requantizer_->requantize_grouped_row(acc + (image * pixels + p) * channels, stride,
                                           codes_.data());
      for (int64_t o = 0; o < channels; ++o)
        image_out[o * pixels + p] = codes_[static_cast<size_t>(o)];
    }
  }
}

void QuantizedGemmLayer::run_dynamic(const int8_t* rows, int64_t row_count, int64_t pixels,
                                     const ActivationQuant& input_grid, float* out) {
  if (requantizer_) throw std::logic_error("int8 GEMM layer: run_dynamic on a static layer");
  gemm_.accumulate(rows, row_count, input_grid.zero_point);
  const int32_t* acc = gemm_.accumulators();
  const int64_t stride = gemm_.group_stride();
  const int64_t groups = gemm_.groups();
  const int64_t channels = out_channels();
  const double input_scale = input_grid.scale;
  // Loops ordered so that the innermost one writes consecutive outputs (channels of a
  // Linear row; pixels of a convolution's plane) and compiles to vector code: in the order
  // of the accumulators, the scattered NCHW stores made this a sixth of lenet-5's dynamic
  // int8 run. The arithmetic per element is unchanged (double, in the same order).
  // One output element from its accumulators (group g's at acc + g * stride).
  const auto element = [&](const int32_t* first, int64_t o) {
    const double* scales = weight_scales_.data() + o * groups;
    double sum = 0.0;
    for (int64_t g = 0; g < groups; ++g) sum += scales[g] * first[g * stride];
    return static_cast<float>(input_scale * sum + bias_[static_cast<size_t>(o)]);
  };
  if (pixels == 1) {  // Linear: rows and output are both [N, O]
    for (int64_t r = 0; r < row_count; ++r) {
      for (int64_t o = 0; o < channels; ++o)
        out[r * channels + o] = element(acc + r * channels + o, o);
    }
    return;
  }
  const int64_t images = row_count / pixels;
  for (int64_t image = 0; image < images; ++image) {
    for (int64_t o = 0; o < channels; ++o) {
      float* plane = out + (image * channels + o) * pixels;
      const int32_t* first = acc + image * pixels * channels + o;
      for (int64_t p = 0; p < pixels; ++p) plane[p] = element(first + p * channels, o);
    }
  }
}

}  // namespace slim
