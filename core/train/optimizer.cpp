#include "core/train/optimizer.h"

namespace slim {

void Sgd::step(Model& model, float learning_rate) {
  const float mu = options_.momentum, wd = options_.weight_decay;
  for (auto& [name, param] : model.parameters()) {
    if (param->grad.empty()) continue;
    float* w = param->value.data();
    const float* grad = param->grad.data();
    const int64_t n = param->value.numel();
    auto [it, first] = velocity_.try_emplace(name, param->value.shape());
    if (!first && !it->second.same_shape(param->value)) {
      // The layer was thinned (structured pruning) since the last step: restart momentum.
      it->second = Tensor(param->value.shape());
      first = true;
    }
    float* v = it->second.data();
#pragma omp parallel for simd schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const float g = grad[i] + wd * w[i];
      v[i] = first ? g : mu * v[i] + g;
      const float update = options_.nesterov ? g + mu * v[i] : v[i];
      w[i] -= learning_rate * update;
    }
    if (param->has_mask()) param->value.vector().array() *= param->mask.vector().array();
  }
}

}  // namespace slim
