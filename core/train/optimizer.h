// SGD with momentum, weight decay and an optional Nesterov step, with PyTorch's update
// rule (the first step seeds the momentum buffer with the gradient):
//   g = grad + wd * w;  v = mu * v + g;  step = nesterov ? g + mu * v : v;  w -= lr * step
// Parameters with a pruning mask are multiplied by it after every step, so pruned
// weights stay exactly zero through fine-tuning.
#pragma once

#include <map>
#include <string>

#include "core/model.h"

namespace slim {

struct SgdOptions {
  float momentum = 0.9f;
  float weight_decay = 0.0f;
  bool nesterov = false;
};

class Sgd {
 public:
  explicit Sgd(const SgdOptions& options) : options_(options) {}
  void step(Model& model, float learning_rate);

 private:
  SgdOptions options_;
  std::map<std::string, Tensor> velocity_;
};

}  // namespace slim
