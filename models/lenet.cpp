#include "models/lenet.h"

#include "core/layers/conv2d.h"
#include "core/layers/flatten.h"
#include "core/layers/linear.h"
#include "core/layers/pooling.h"
#include "core/layers/relu.h"

namespace slim {

Model build_lenet_5(const Shape& sample_shape, int num_classes) {
  Model model("lenet-5", sample_shape, num_classes);
  const int64_t channels = sample_shape.at(0);
  model.add("conv1", std::make_unique<Conv2d>(Conv2dOptions{channels, 20, 5, 1, 0, true}));
  model.add("relu1", std::make_unique<ReLU>());
  model.add("pool1", std::make_unique<MaxPool2d>(PoolOptions{2, 2, 0}));
  model.add("conv2", std::make_unique<Conv2d>(Conv2dOptions{20, 50, 5, 1, 0, true}));
  model.add("relu2", std::make_unique<ReLU>());
  model.add("pool2", std::make_unique<MaxPool2d>(PoolOptions{2, 2, 0}));
  model.add("flatten", std::make_unique<Flatten>());
  const int64_t flat = model.output_shapes(1).back()[1];
  model.add("fc1", std::make_unique<Linear>(flat, 500));
  model.add("relu3", std::make_unique<ReLU>());
  model.add("fc2", std::make_unique<Linear>(500, num_classes));
  return model;
}

}  // namespace slim
