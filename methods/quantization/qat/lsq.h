// LSQ, learned step size quantization (Esser et al. 2019; REFERENCE.md, "QAT"): the
// scale S of a fake-quantizer is a trained parameter, with this gradient per element x
// (v = x / S, Z the fixed zero point, QN = Z - qmin codes below zero, QP = qmax - Z above):
//
//   d fq(x) / dS =  round(v) - v    when round(v) + Z lies inside [qmin, qmax]
//                  -QN              below the grid (fq(x) = -QN * S)
//                  +QP              above it       (fq(x) = +QP * S)
//
// i.e. the derivative of S * clamp(round(v), -QN, QP) with round() passed straight
// through. Summed over the elements that share S, it is scaled by g = 1 / sqrt(N * QP),
// N being those elements' count (per sample for activations), so that S learns at a rate
// comparable to the weights. S starts at 2 * mean|x| / sqrt(QP) when no calibrated grid
// is given (the paper's initialisation; QAT uses it for weights).
#pragma once

#include <cstdint>
#include <span>

#include "core/quant/activation_quant.h"

namespace slim {

// The smallest scale a learned step may take, so that 1 / S stays finite; the same floor
// the calibrators put under a scale (core/quant/affine.h).
float lsq_min_scale();

// QP of `grid`: how many codes lie above its zero point (at least 1, so g stays finite).
int32_t lsq_positive_codes(const ActivationQuant& grid);

// g = 1 / sqrt(N * QP).
float lsq_gradient_scale(int64_t elements_per_scale, int32_t positive_codes);

// 2 * mean|x| / sqrt(QP), floored at lsq_min_scale() (an all-zero slice stays usable).
float lsq_initial_scale(std::span<const float> values, int32_t positive_codes);

// d fq(x) / dS for one element on `grid` (whose scale is S), before the factor g.
float lsq_scale_derivative(float x, const ActivationQuant& grid);

}  // namespace slim
