#include "methods/registry.h"

#include <fmt/format.h>

#include "core/error.h"
#include "methods/baseline/finetune.h"
#include "methods/baseline/fp32.h"
#include "methods/distillation/distill.h"
#include "methods/distillation/mutual_learning.h"
#include "methods/lowrank/channel_svd.h"
#include "methods/lowrank/svd_linear.h"
#include "methods/lowrank/tucker2.h"
#include "methods/pruning/agp.h"
#include "methods/pruning/dynamic_sparse.h"
#include "methods/pruning/early_exit.h"
#include "methods/pruning/iterative_prune.h"
#include "methods/pruning/l1_prune.h"
#include "methods/pruning/one_shot_prune.h"
#include "methods/pruning/prune_at_init.h"
#include "methods/pruning/prune_sensitivity.h"
#include "methods/pruning/structured/filter_prune.h"
#include "methods/quantization/dynamic_ptq.h"
#include "methods/quantization/qat/qat.h"
#include "methods/quantization/static_ptq.h"
#include "methods/quantization/weight_only.h"

namespace slim {

std::string_view family_name(MethodFamily family) {
  switch (family) {
    case MethodFamily::kBaseline:
      return "baseline";
    case MethodFamily::kQuantization:
      return "quantization";
    case MethodFamily::kPruning:
      return "pruning";
    case MethodFamily::kDistillation:
      return "distillation";
    case MethodFamily::kLowRank:
      return "low-rank";
  }
  return "?";
}

const std::vector<Method>& method_table() {
  static const std::vector<Method> table = {
      fp32_method(),       finetune_method(),       weight_only_quantization_method(),
      static_ptq_method(), dynamic_ptq_method(),    qat_method(),
      prune_method(),      nm_prune_method(),       iterative_prune_method(),
      agp_method(),        prune_at_init_method(),  filter_prune_method(),
      l1_prune_method(),   dynamic_sparse_method(), prune_sensitivity_method(),
      early_exit_method(), distill_method(),        mutual_learning_method(),
      svd_method(),        tucker2_method(),        channel_svd_method(),
  };
  return table;
}

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const Method& method : method_table()) names.push_back(method.name);
  return names;
}

const Method& find_method(std::string_view name) {
  for (const Method& method : method_table()) {
    if (method.name == name) return method;
  }
  fail("unknown method '{}'; valid choices: {}", name, fmt::join(method_names(), ", "));
}

}  // namespace slim
