// Multi-layer perceptrons: lenet-300-100, mlp-1200 (with dropout), mlp-800 and mlp-64.
#pragma once

#include <vector>

#include "core/model.h"

namespace slim {

// flatten, then fc1..fcN with ReLU (and optional dropout) between them. Node names:
// fc<i>, relu<i>, drop<i>; the parameters are fc<i>.weight / fc<i>.bias.
Model build_mlp(std::string architecture, const Shape& sample_shape,
                const std::vector<int64_t>& hidden, int num_classes, float dropout);

Model build_lenet_300_100(const Shape& sample_shape, int num_classes);
Model build_mlp_1200(const Shape& sample_shape, int num_classes);
Model build_mlp_800(const Shape& sample_shape, int num_classes);
Model build_mlp_64(const Shape& sample_shape, int num_classes);

}  // namespace slim
