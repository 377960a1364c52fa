#include "models/mlp.h"

#include <fmt/format.h>

#include "core/layers/dropout.h"
#include "core/layers/flatten.h"
#include "core/layers/linear.h"
#include "core/layers/relu.h"

namespace slim {

Model build_mlp(std::string architecture, const Shape& sample_shape,
                const std::vector<int64_t>& hidden, int num_classes, float dropout) {
  Model model(std::move(architecture), sample_shape, num_classes);
  model.add("flatten", std::make_unique<Flatten>());
  int64_t width = shape_numel(sample_shape);
  for (size_t i = 0; i < hidden.size(); ++i) {
    const size_t index = i + 1;
    model.add(fmt::format("fc{}", index), std::make_unique<Linear>(width, hidden[i]));
    model.add(fmt::format("relu{}", index), std::make_unique<ReLU>());
    if (dropout > 0.0f) model.add(fmt::format("drop{}", index), std::make_unique<Dropout>(dropout));
    width = hidden[i];
  }
  model.add(fmt::format("fc{}", hidden.size() + 1), std::make_unique<Linear>(width, num_classes));
  return model;
}

Model build_lenet_300_100(const Shape& sample_shape, int num_classes) {
  return build_mlp("lenet-300-100", sample_shape, {300, 100}, num_classes, 0.0f);
}

Model build_mlp_1200(const Shape& sample_shape, int num_classes) {
  return build_mlp("mlp-1200", sample_shape, {1200, 1200}, num_classes, 0.3f);
}

Model build_mlp_800(const Shape& sample_shape, int num_classes) {
  return build_mlp("mlp-800", sample_shape, {800, 800}, num_classes, 0.0f);
}

Model build_mlp_64(const Shape& sample_shape, int num_classes) {
  return build_mlp("mlp-64", sample_shape, {64, 64}, num_classes, 0.0f);
}

}  // namespace slim
