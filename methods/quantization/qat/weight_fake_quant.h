// WeightFakeQuant: how a QAT layer rounds its (BN-folded) weight in every forward.
//
// The weight is viewed as the [rows, cols] matrix the deployed layer stores (rows =
// output channels), split into the slices of its granularity: the whole tensor, each
// row, or each group of `group_size` consecutive columns of a row.
//  * ste: every forward quantizes the current weight with the static graph's own weight
//    quantizer (quantize_weight with the method's calibrator), so training sees exactly
//    the codes that conversion will store; the gradient passes where a weight lands inside
//    its slice's grid (straight-through) and is 0 where it is clamped.
//  * lsq: one trained scale per slice ("weight_scale", LSQ; lsq.h), symmetric (Z = 0),
//    initialised from the PTQ weight quantizer's scales (or, with LsqInit::kMeanAbs, the
//    paper's 2 * mean|w| / sqrt(QP)); conversion stores clamp(round(w / S)) with those
//    scales (learned_encoding).
//  * disabled (default-constructed): the identity, for a layer the graph keeps in FP32.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "core/layer.h"
#include "core/quant/activation_quant.h"
#include "core/quant/quantized_weight.h"
#include "methods/quantization/qat/fake_quantize.h"
#include "methods/quantization/weight_quantizer.h"

namespace slim {

// Where LSQ's weight scales start.
enum class LsqInit {
  kCalibrated,  // the scales static PTQ's weight quantizer picks, so training starts from
                // the PTQ model (min_max, being affine, starts from abs_max instead)
  kMeanAbs,     // the LSQ paper's 2 * mean|w| / sqrt(QP)
};

class WeightFakeQuant {
 public:
  WeightFakeQuant() = default;  // disabled
  static WeightFakeQuant ste(const WeightQuantOptions& options, int64_t rows, int64_t cols);
  // Throws a UserError for an unsigned weight grid: LSQ learns symmetric scales.
  static WeightFakeQuant lsq(const WeightQuantOptions& options, std::span<const float> weights,
                             int64_t rows, int64_t cols, LsqInit init = LsqInit::kCalibrated);

  bool enabled() const { return enabled_; }
  QatEstimator estimator() const { return estimator_; }
  const WeightQuantOptions& options() const { return options_; }
  // The learned scales ("weight_scale") under LSQ; nullptr otherwise.
  Parameter* scale_parameter() { return estimator_ == QatEstimator::kLsq ? &scales_ : nullptr; }

  // out = fq(weights); remembers which weights the straight-through estimator passes.
  void forward(std::span<const float> weights, std::span<float> out);
  // grad_weights = grad_quantized where the weight was inside its grid, else 0; under LSQ
  // also adds the scale gradient. `weights` are those of the last forward().
  void backward(std::span<const float> weights, std::span<const float> grad_quantized,
                std::span<float> grad_weights);

  // LSQ only: codes clamp(round(w / S)) with the learned scales, as the deployed layer
  // stores them. `weights` is the folded [rows, cols] weight.
  std::shared_ptr<const QuantizedWeight> learned_encoding(std::span<const float> weights) const;
  void keep_scales_positive();
  nlohmann::json describe() const;

 private:
  WeightFakeQuant(const WeightQuantOptions& options, QatEstimator estimator, int64_t rows,
                  int64_t cols);

  int64_t columns_per_slice() const;
  int64_t slices_per_row() const;
  int64_t slice_count() const;  // distinct scales
  int64_t slice_of(int64_t row, int64_t col) const;
  int64_t slice_size(int64_t slice) const;  // weights sharing that scale
  ActivationQuant learned_grid(int64_t slice) const;
  void calibrate_grids(std::span<const float> weights);  // STE: from quantize_weight
  void learn_grids();                                    // LSQ: from the scales

  bool enabled_ = false;
  QatEstimator estimator_ = QatEstimator::kSte;
  WeightQuantOptions options_;
  int64_t rows_ = 0;
  int64_t cols_ = 0;
  Parameter scales_;                    // [slice_count()], LSQ only
  std::vector<ActivationQuant> grids_;  // per slice, as of the last forward
  std::vector<uint8_t> inside_;         // per weight, as of the last forward
};

}  // namespace slim
