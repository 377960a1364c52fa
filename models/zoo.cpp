#include "models/zoo.h"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "core/error.h"
#include "models/lenet.h"
#include "models/mlp.h"
#include "models/resnet.h"

namespace slim {
namespace {

Recipe recipe(int epochs, float lr, float weight_decay) {
  Recipe r;
  r.epochs = epochs;
  r.lr = lr;
  r.weight_decay = weight_decay;
  r.batch_size = 128;
  r.schedule = "cosine";
  r.momentum = 0.9f;
  r.nesterov = true;
  return r;
}

const std::array kZoo = {
    ZooEntry{"lenet-300-100", "MLP 784-300-100-10 with ReLU (Han et al. 2015)", build_lenet_300_100,
             [] { return recipe(20, 0.05f, 1e-4f); }},
    ZooEntry{"lenet-5",
             "Caffe LeNet-5: conv 20@5x5, maxpool, conv 50@5x5, maxpool, fc 500, fc 10 (431K "
             "params)",
             build_lenet_5, [] { return recipe(12, 0.02f, 5e-4f); }},
    ZooEntry{"resnet-8", "ResNet-8: 3x3 stem and three residual stages (16/32/64) with BN",
             build_resnet_8, [] { return recipe(12, 0.1f, 5e-4f); }},
    ZooEntry{"mlp-1200", "MLP 784-1200-1200-10 with dropout 0.3 (distillation teacher)",
             build_mlp_1200, [] { return recipe(20, 0.05f, 1e-4f); }},
    ZooEntry{"mlp-800", "MLP 784-800-800-10 (distillation student)", build_mlp_800,
             [] { return recipe(20, 0.05f, 1e-4f); }},
    ZooEntry{"mlp-64", "MLP 784-64-64-10 (small distillation student)", build_mlp_64,
             [] { return recipe(20, 0.05f, 1e-4f); }},
};

}  // namespace

std::span<const ZooEntry> model_zoo() {
  return kZoo;
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const ZooEntry& entry : kZoo) names.emplace_back(entry.name);
  return names;
}

const ZooEntry& find_model(std::string_view name) {
  for (const ZooEntry& entry : kZoo) {
    if (entry.name == name) return entry;
  }
  fail("unknown model '{}'; known models: {}", name, fmt::join(model_names(), ", "));
}

}  // namespace slim
