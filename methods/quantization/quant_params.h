// The parameters the quantization methods share, as schema entries and parsed options,
// so static PTQ, dynamic PTQ and QAT spell them (and their valid choices) the same way.
#pragma once

#include <nlohmann/json.hpp>

#include "core/quant/affine.h"
#include "methods/param_schema.h"
#include "methods/quantization/activation_calibration.h"
#include "methods/quantization/calibration/calibrator.h"
#include "methods/quantization/quantized_graph.h"

namespace slim {

// weight_bits, weight_calibrator, granularity, group_size, weight_signed, narrow_range,
// weight_percentile, keep_first_last_fp32.
ParamSchema weight_quant_params();
// rounding (half_to_even | half_away_from_zero).
ParamSpec rounding_param();
// activation_calibrator, activation_percentile, relu_full_range.
ParamSchema activation_calibration_params();

Rounding parse_rounding(const nlohmann::json& params);
GraphQuantOptions parse_graph_quant_options(const nlohmann::json& params);
ActivationCalibrationOptions parse_activation_calibration(const nlohmann::json& params);

// Concatenates schemas (the registry lists a method's parameters in this order).
ParamSchema join_params(std::initializer_list<ParamSchema> parts);

}  // namespace slim
