// Builders and comparisons shared by the int8 kernel tests: random quantized weights and
// activation codes, and a count of how far integer codes are from the codes of the FP32
// simulation (q_sim = quantize_activation of the simulated real).
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/quant/activation_quant.h"
#include "core/quant/quantized_linear.h"
#include "core/quant/quantized_weight.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "kernels/int8/int8_tensor.h"

namespace slim::int8_testing {

inline ActivationQuant grid(float scale, int32_t zero_point) {
  return ActivationQuant{.scale = scale, .zero_point = zero_point};
}

inline QuantScheme dynamic_scheme(DynamicRange range) {
  QuantScheme scheme;
  scheme.dynamic_range = range;
  return scheme;
}

// Uniform codes over the whole grid [qmin, qmax].
inline Int8Tensor random_codes(const Shape& shape, const ActivationQuant& quant, Rng& rng) {
  Int8Tensor t;
  t.resize(shape);
  t.quant = quant;
  const auto span = static_cast<uint64_t>(quant.qmax - quant.qmin + 1);
  for (int8_t& c : t.codes)
    c = static_cast<int8_t>(quant.qmin + static_cast<int32_t>(rng.below(span)));
  return t;
}

// The reals the codes stand for: the simulation's input.
inline Tensor reals_of(const Int8Tensor& t) {
  Tensor out(t.shape);
  for (int64_t i = 0; i < t.numel(); ++i) {
    out[i] = t.quant.dequantize(t.codes[static_cast<size_t>(i)]);
  }
  return out;
}

struct WeightSpec {
  int64_t rows = 4;
  int64_t cols = 16;
  int64_t group_size = 0;   // 0: per channel (or per tensor); otherwise per group of this size
  bool asymmetric = false;  // random non-zero zero points
  bool per_tensor = false;  // one scale and zero point for the whole weight
  int bits = 8;             // codes over the whole signed range of this many bits
};

// Random codes over the full int8 range, scales in [0.005, 0.02), and zero points in
// [-20, 20] when asymmetric.
inline std::shared_ptr<const QuantizedWeight> random_weight(const WeightSpec& spec, Rng& rng) {
  const bool grouped = spec.group_size > 0;
  const int64_t group_size = grouped ? spec.group_size : spec.cols;
  const int64_t groups = (spec.cols + group_size - 1) / group_size;
  std::vector<int8_t> codes(static_cast<size_t>(spec.rows * spec.cols));
  const int levels = 1 << spec.bits;
  for (int8_t& c : codes) {
    c = static_cast<int8_t>(static_cast<int>(rng.below(static_cast<uint64_t>(levels))) -
                            levels / 2);
  }
  std::vector<float> scales(static_cast<size_t>(spec.rows * groups));
  for (float& s : scales) s = rng.uniform(0.005f, 0.02f);
  std::vector<int32_t> zero_points(scales.size(), 0);
  if (spec.asymmetric) {
    for (int32_t& z : zero_points) z = static_cast<int32_t>(rng.below(41)) - 20;
  }
  Granularity granularity = grouped ? Granularity::kPerGroup : Granularity::kPerChannel;
  if (spec.per_tensor) {
    granularity = Granularity::kPerTensor;
    std::fill(scales.begin(), scales.end(), scales[0]);
    std::fill(zero_points.begin(), zero_points.end(), zero_points[0]);
  }
  return std::make_shared<QuantizedWeight>(
      QuantRange{.bits = spec.bits, .is_signed = true, .narrow = false}, granularity, spec.rows,
      spec.cols, group_size, std::move(codes), std::move(scales), std::move(zero_points));
}

inline std::vector<float> random_bias(int64_t count, float stddev, Rng& rng) {
  std::vector<float> bias(static_cast<size_t>(count));
  for (float& b : bias) b = rng.normal(0.0f, stddev);
  return bias;
}

// An output scale that spreads a product of `depth` random code pairs over the int8
// range: about four standard deviations (74 codes each side) map to 127.
inline float output_scale_for(int64_t depth, float input_scale, float weight_scale) {
  return 4.0f * std::sqrt(static_cast<float>(depth)) * 74.0f * 74.0f * input_scale * weight_scale /
         127.0f;
}

struct CodeAgreement {
  int64_t count = 0;
  int64_t exact = 0;
  int64_t max_diff = 0;
  int64_t saturated = 0;  // simulated codes clamped at qmax, or at a qmin below the zero point
};

// |q_int - q_sim| per element, with q_sim = quantize_activation(simulated real, grid).
inline CodeAgreement agreement(const Int8Tensor& got, const Tensor& simulated) {
  CodeAgreement a;
  REQUIRE(got.shape == simulated.shape());
  for (int64_t i = 0; i < got.numel(); ++i) {
    const int32_t want = quantize_activation(simulated[i], got.quant);
    const int32_t have = got.codes[static_cast<size_t>(i)];
    const int64_t diff = std::abs(int64_t{have} - want);
    ++a.count;
    a.exact += diff == 0;
    a.max_diff = std::max(a.max_diff, diff);
    // A qmin at the zero point is a fused ReLU: codes there are zeros, not saturation.
    a.saturated +=
        want == got.quant.qmax || (want == got.quant.qmin && got.quant.qmin < got.quant.zero_point);
  }
  return a;
}

// Within one code everywhere, exactly equal for all but a small fraction, and not a
// test that only exercised the clamps.
inline void check_agreement(const CodeAgreement& a, const char* what) {
  WARN(what << ": " << a.exact << "/" << a.count << " codes exact, max |q_int - q_sim| = "
            << a.max_diff << ", " << a.saturated << " saturated");
  CHECK(a.max_diff <= 1);
  CHECK(a.exact >= a.count * 98 / 100);
  CHECK(a.saturated <= a.count / 10);
}

}  // namespace slim::int8_testing
