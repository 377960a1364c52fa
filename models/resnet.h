// ResNet-8 for 28x28 inputs: a 3x3 stem (16 channels) and three stages of one basic
// block each (16, 32, 64 channels; stages 2 and 3 downsample with stride 2), then global
// average pooling and a linear classifier. 1 + 3 x 2 + 1 = 8 weighted layers deep.
// A downsampling block's shortcut is a 1x1 convolution with BN (ResNet option B).
// Convolutions followed by BN have no bias, which is what BN folding expects.
// Node names follow PyTorch's torchvision style: layer2.conv1, layer2.shortcut.conv, ...
#pragma once

#include "core/model.h"

namespace slim {

Model build_resnet_8(const Shape& sample_shape, int num_classes);

}  // namespace slim
