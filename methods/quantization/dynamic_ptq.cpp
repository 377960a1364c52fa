#include "methods/quantization/dynamic_ptq.h"

#include "methods/quantization/bn_folding.h"
#include "methods/quantization/quant_params.h"
#include "methods/quantization/quantized_graph.h"

namespace slim {
namespace {

void apply_dynamic_ptq(Model& model, const nlohmann::json& params, MethodContext&) {
  const DynamicRange range = params.at("activation_range").get<std::string>() == "min_max"
                                 ? DynamicRange::kMinMax
                                 : DynamicRange::kAbsMax;
  model = build_dynamic_quantized(fold_batch_norms(model), range, parse_rounding(params),
                                  parse_graph_quant_options(params));
}

}  // namespace

Method dynamic_ptq_method() {
  return Method{
      .name = "dynamic_ptq",
      .family = MethodFamily::kQuantization,
      .description = "dynamic PTQ: int8 weights, per-batch int8 input grids, FP32 outputs",
      .params = join_params({weight_quant_params(),
                             {choice_param("activation_range", "min_max", {"abs_max", "min_max"},
                                           "how each batch's input grid is chosen"),
                              rounding_param()}}),
      .apply = apply_dynamic_ptq,
  };
}

}  // namespace slim
