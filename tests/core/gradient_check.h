// Finite-difference gradient checking for layers and whole models.
//
// The scalar under test is L = sum(r * y) for a fixed random r, accumulated in double,
// so dL/dy = r and the layer's backward(r) must match central differences of L.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/layer.h"
#include "core/model.h"

namespace slim::testing {

struct GradientCheckResult {
  std::string name;  // "input0", "weight", ...
  float max_abs_diff = 0.0f;
  float max_allowed_excess = 0.0f;  // max over elements of |diff| - tolerance (<= 0 passes)
};

// Checks every input and every parameter gradient of `layer`. `make_context` gives a
// fresh forward context per evaluation (so stochastic layers see the same mask).
std::vector<GradientCheckResult> check_layer_gradients(
    Layer& layer, std::vector<Tensor> inputs, const std::function<ForwardContext()>& make_context,
    float step = 1e-3f);

std::vector<GradientCheckResult> check_model_gradients(Model& model, const Tensor& input, Mode mode,
                                                       float step = 1e-3f);

// Fills with N(0, 1) values.
Tensor random_tensor(const Shape& shape, uint64_t seed);
// Values that are pairwise at least `gap` apart (a shuffled ramp), for layers with
// kinks (ReLU, max pooling) where a finite difference must not cross a kink.
Tensor spread_tensor(const Shape& shape, uint64_t seed, float gap);

}  // namespace slim::testing
