#include "methods/quantization/static_ptq.h"

#include <fmt/format.h>

#include "methods/quantization/activation_calibration.h"
#include "methods/quantization/bn_folding.h"
#include "methods/quantization/calibrator_comparison.h"
#include "methods/quantization/quant_params.h"
#include "methods/quantization/quantized_graph.h"
#include "methods/quantization/sensitivity.h"

namespace slim {
namespace {

void report_sensitivity(const Model& folded, const ActivationGrids& grids,
                        const GraphQuantOptions& options, MethodContext& context) {
  const std::vector<LayerSensitivity> table =
      quantization_sensitivity(folded, grids, options, context.dataset);
  fmt::print(context.log, "static_ptq: sensitivity (one layer quantized at a time, test split)\n{}",
             format_sensitivity_table(table));
  context.report["static_ptq"]["sensitivity"] = to_json(table);
}

void report_calibrator_errors(Model& folded, const CalibrationOptions& calibration,
                              const GraphQuantOptions& options, MethodContext& context) {
  const std::vector<CalibratorErrors> table =
      compare_activation_calibrators(folded, context.dataset, context.calibration_indices,
                                     calibration, static_grid_points(folded, options));
  fmt::print(context.log,
             "static_ptq: activation quantization MSE per calibrator (calibration set)\n{}",
             format_calibrator_table(table));
  context.report["static_ptq"]["calibrator_mse"] = to_json(table);
}

void apply_static_ptq(Model& model, const nlohmann::json& params, MethodContext& context) {
  Model folded = fold_batch_norms(model);
  const ActivationCalibrationOptions calibration = parse_activation_calibration(params);
  fmt::print(context.log, "static_ptq: calibrating {} activations on {} samples ({})\n",
             folded.nodes().size() + 1, context.calibration_indices.size(),
             params.at("activation_calibrator").get<std::string>());
  const ActivationGrids grids =
      calibrate_activations(folded, context.dataset, context.calibration_indices, calibration);
  const GraphQuantOptions options = parse_graph_quant_options(params);
  if (params.at("sensitivity").get<bool>()) report_sensitivity(folded, grids, options, context);
  if (params.at("compare_calibrators").get<bool>()) {
    report_calibrator_errors(folded, calibration.computed, options, context);
  }
  model = build_static_quantized(folded, grids, options);
}

}  // namespace

Method static_ptq_method() {
  return Method{
      .name = "static_ptq",
      .family = MethodFamily::kQuantization,
      .description = "static PTQ: BN folded, int8 activations calibrated, integer execution",
      .params = join_params(
          {weight_quant_params(),
           activation_calibration_params(),
           {rounding_param(),
            bool_param("sensitivity", false,
                       "also report each layer's SQNR and accuracy when quantized alone"),
            bool_param("compare_calibrators", false,
                       "also report every activation calibrator's quantization MSE per tensor")}}),
      .apply = apply_static_ptq,
  };
}

}  // namespace slim
