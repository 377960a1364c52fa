// LeNet-5, Caffe variant (Han et al. 2015's 431K-parameter net):
//   conv1 20@5x5 -> relu1 -> pool1 2x2 -> conv2 50@5x5 -> relu2 -> pool2 2x2
//   -> flatten -> fc1 500 -> relu3 -> fc2 10
// Caffe's prototxt has no ReLU after the convolutions; we add them (as most PyTorch
// ports do) because they help accuracy and cost no parameters. Documented in models/README.md.
#pragma once

#include "core/model.h"

namespace slim {

Model build_lenet_5(const Shape& sample_shape, int num_classes);

}  // namespace slim
