#include "methods/quantization/quant_params.h"

#include <string>
#include <vector>

namespace slim {
namespace {

std::vector<std::string> granularity_choices() {
  return {"per_tensor", "per_channel", "per_group"};
}

Granularity parse_granularity(const std::string& name) {
  if (name == "per_tensor") return Granularity::kPerTensor;
  if (name == "per_group") return Granularity::kPerGroup;
  return Granularity::kPerChannel;
}

// input_calibrator: a calibrator's name, or this to follow activation_calibrator.
constexpr const char* kSameCalibrator = "same";

std::vector<std::string> input_calibrator_choices() {
  std::vector<std::string> choices = calibrator_names();
  choices.emplace_back(kSameCalibrator);
  return choices;
}

}  // namespace

ParamSchema weight_quant_params() {
  return {
      int_param("weight_bits", 8, 2, 8, "weight bit width (sub-8-bit codes are stored packed)"),
      choice_param("weight_calibrator", "abs_max", calibrator_names(),
                   "how each weight slice's range is chosen"),
      choice_param("granularity", "per_channel", granularity_choices(),
                   "one weight scale per tensor, per output channel, or per group of inputs"),
      int_param("group_size", 32, 1, 1 << 20, "inputs per scale when granularity is per_group"),
      bool_param("weight_signed", true, "signed weight grid; false uses [0, 2^b - 1]"),
      bool_param("narrow_range", true,
                 "drop the most negative signed code (int8 -> [-127, 127], the TFLite convention)"),
      number_param("weight_percentile", 99.99, 50.0, 100.0,
                   "percentile of |w| kept when weight_calibrator is percentile"),
      bool_param("keep_first_last_fp32", false,
                 "leave the first and last conv/linear layers in FP32"),
  };
}

ParamSpec rounding_param() {
  return choice_param("rounding", "half_to_even", {"half_to_even", "half_away_from_zero"},
                      "rounding of real values onto a grid (PyTorch: half_to_even; TFLite: away)");
}

ParamSchema activation_calibration_params() {
  return {
      // mse, not TensorRT's kl, by default: kl clips tensors with point masses (the
      // constant background of Fashion-MNIST images, and the conv outputs it produces)
      // and costs resnet-8 11 points (docs/quantization.md, section 10).
      choice_param("activation_calibrator", "mse", calibrator_names(),
                   "how each activation's range is chosen from the calibration set"),
      number_param("activation_percentile", 99.99, 50.0, 100.0,
                   "percentile of |x| kept when activation_calibrator is percentile"),
      bool_param("relu_full_range", true,
                 "map tensors that calibration saw non-negative onto all 256 codes"),
      choice_param("input_calibrator", kSameCalibrator, input_calibrator_choices(),
                   "how the model input's range is chosen; 'same' uses activation_calibrator"),
  };
}

Rounding parse_rounding(const nlohmann::json& params) {
  return params.at("rounding").get<std::string>() == "half_away_from_zero"
             ? Rounding::kHalfAwayFromZero
             : Rounding::kHalfToEven;
}

GraphQuantOptions parse_graph_quant_options(const nlohmann::json& params) {
  GraphQuantOptions options;
  WeightQuantOptions& weights = options.weights;
  weights.calibrator = parse_calibrator(params.at("weight_calibrator").get<std::string>());
  weights.granularity = parse_granularity(params.at("granularity").get<std::string>());
  weights.group_size = params.at("group_size").get<int64_t>();
  const bool is_signed = params.at("weight_signed").get<bool>();
  weights.range = QuantRange{.bits = params.at("weight_bits").get<int>(),
                             .is_signed = is_signed,
                             .narrow = is_signed && params.at("narrow_range").get<bool>()};
  weights.rounding = parse_rounding(params);
  weights.percentile = params.at("weight_percentile").get<double>();
  options.keep_first_last_fp32 = params.at("keep_first_last_fp32").get<bool>();
  return options;
}

ActivationCalibrationOptions parse_activation_calibration(const nlohmann::json& params) {
  CalibrationOptions computed;
  computed.kind = parse_calibrator(params.at("activation_calibrator").get<std::string>());
  computed.percentile = params.at("activation_percentile").get<double>();
  computed.rounding = parse_rounding(params);
  computed.full_range_if_nonnegative = params.at("relu_full_range").get<bool>();
  CalibrationOptions input = computed;
  if (const auto name = params.at("input_calibrator").get<std::string>(); name != kSameCalibrator) {
    input.kind = parse_calibrator(name);
  }
  return {.input = input, .computed = computed};
}

ParamSchema join_params(std::initializer_list<ParamSchema> parts) {
  ParamSchema joined;
  for (const ParamSchema& part : parts) joined.insert(joined.end(), part.begin(), part.end());
  return joined;
}

}  // namespace slim
