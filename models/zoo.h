// The model zoo: an explicit table of named architectures with their default recipes.
//
// | name          | architecture                                               |
// |---------------|------------------------------------------------------------|
// | lenet-300-100 | MLP 784-300-100-10 (Han et al. 2015)                       |
// | lenet-5       | Caffe LeNet: conv 20@5x5, pool, conv 50@5x5, pool, fc 500  |
// | resnet-8      | 3x3 stem + three residual stages (16/32/64) with BN, GAP   |
// | mlp-1200      | MLP 784-1200-1200-10 with dropout (distillation teacher)   |
// | mlp-800       | MLP 784-800-800-10 (its student)                           |
// | mlp-64        | MLP 784-64-64-10 (a small student)                         |
//
// Builders return an uninitialised model; init_parameters() seeds the weights.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/train/recipe.h"

namespace slim {

struct ZooEntry {
  std::string_view name;
  std::string_view description;
  Model (*build)(const Shape& sample_shape, int num_classes);
  Recipe (*default_recipe)();
};

std::span<const ZooEntry> model_zoo();
std::vector<std::string> model_names();
// Throws UserError listing the known names when `name` is unknown.
const ZooEntry& find_model(std::string_view name);

}  // namespace slim
