#include "methods/baseline/fp32.h"

namespace slim {

Method fp32_method() {
  return Method{
      .name = "fp32",
      .family = MethodFamily::kBaseline,
      .description = "identity: the trained FP32 model, unchanged",
      .params = {},
      .apply = [](Model&, const nlohmann::json&, MethodContext&) {},
  };
}

}  // namespace slim
