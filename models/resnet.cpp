#include "models/resnet.h"

#include "core/layers/add.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"
#include "core/layers/pooling.h"
#include "core/layers/relu.h"

namespace slim {
namespace {

std::unique_ptr<Conv2d> conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return std::make_unique<Conv2d>(Conv2dOptions{in, out, kernel, stride, kernel / 2, false});
}

// conv-bn-relu-conv-bn (+ shortcut) -> relu. Returns the block's output node name.
std::string basic_block(Model& model, const std::string& prefix, const std::string& input,
                        int64_t in, int64_t out, int64_t stride) {
  model.add(prefix + ".conv1", conv(in, out, 3, stride), {input});
  model.add(prefix + ".bn1", std::make_unique<BatchNorm>(2, out));
  model.add(prefix + ".relu1", std::make_unique<ReLU>());
  model.add(prefix + ".conv2", conv(out, out, 3, 1));
  const std::string main_path = model.add(prefix + ".bn2", std::make_unique<BatchNorm>(2, out));
  std::string shortcut = input;
  if (stride != 1 || in != out) {
    model.add(prefix + ".shortcut.conv", conv(in, out, 1, stride), {input});
    shortcut = model.add(prefix + ".shortcut.bn", std::make_unique<BatchNorm>(2, out));
  }
  model.add(prefix + ".add", std::make_unique<Add>(), {main_path, shortcut});
  return model.add(prefix + ".relu2", std::make_unique<ReLU>());
}

}  // namespace

Model build_resnet_8(const Shape& sample_shape, int num_classes) {
  Model model("resnet-8", sample_shape, num_classes);
  model.add("stem.conv", conv(sample_shape.at(0), 16, 3, 1));
  model.add("stem.bn", std::make_unique<BatchNorm>(2, 16));
  std::string x = model.add("stem.relu", std::make_unique<ReLU>());
  x = basic_block(model, "layer1", x, 16, 16, 1);
  x = basic_block(model, "layer2", x, 16, 32, 2);
  x = basic_block(model, "layer3", x, 32, 64, 2);
  model.add("pool", std::make_unique<GlobalAvgPool>(), {x});
  model.add("fc", std::make_unique<Linear>(64, num_classes));
  return model;
}

}  // namespace slim
