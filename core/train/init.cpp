#include "core/train/init.h"

#include <cmath>

#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"

namespace slim {
namespace {

void he_normal(Tensor& weight, int64_t fan_in, Rng& rng) {
  const float stddev = std::sqrt(2.0f / static_cast<float>(fan_in));
  for (float& w : weight.values()) w = rng.normal(0.0f, stddev);
}

}  // namespace

void init_parameters(Model& model, Rng& rng) {
  for (const Node& node : model.nodes()) {
    if (auto* linear = dynamic_cast<Linear*>(node.layer.get())) {
      he_normal(linear->weight().value, linear->in_features(), rng);
      if (linear->has_bias()) linear->bias().value.zero();
    } else if (auto* conv = dynamic_cast<Conv2d*>(node.layer.get())) {
      const auto& o = conv->options();
      he_normal(conv->weight().value, o.in_channels * o.kernel_size * o.kernel_size, rng);
      if (o.bias) conv->bias().value.zero();
    } else if (auto* bn = dynamic_cast<BatchNorm*>(node.layer.get())) {
      bn->gamma().value.fill(1.0f);
      bn->beta().value.fill(0.0f);
      bn->running_mean().fill(0.0f);
      bn->running_var().fill(1.0f);
      bn->set_frozen(false);
    }
  }
}

}  // namespace slim
