// Finite-difference gradient checks for every layer kind, and for whole zoo-style graphs.
#include <catch2/catch.hpp>

#include "core/layers/add.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/dropout.h"
#include "core/layers/flatten.h"
#include "core/layers/linear.h"
#include "core/layers/pooling.h"
#include "core/layers/relu.h"
#include "core/train/init.h"
#include "tests/core/gradient_check.h"

namespace slim::testing {
namespace {

ForwardContext train_context() {
  return {Mode::kTrain, nullptr};
}

void randomize_parameters(Layer& layer, uint64_t seed) {
  for (auto& [name, param] : layer.parameters()) {
    param->value = random_tensor(param->value.shape(), seed++);
  }
}

void require_passed(const std::vector<GradientCheckResult>& results, const std::string& what) {
  REQUIRE_FALSE(results.empty());
  for (const auto& r : results) {
    INFO(what << " / " << r.name << ": max|analytic - numeric| = " << r.max_abs_diff);
    WARN(what << " / " << r.name << ": max|diff| = " << r.max_abs_diff);
    CHECK(r.max_allowed_excess <= 0.0f);
  }
}

}  // namespace

TEST_CASE("gradient: linear", "[gradient]") {
  Linear layer(7, 5);
  randomize_parameters(layer, 1);
  require_passed(check_layer_gradients(layer, {random_tensor({3, 7}, 2)}, train_context), "linear");
}

TEST_CASE("gradient: conv2d with stride and padding", "[gradient]") {
  for (auto [stride, padding] : {std::pair{1, 0}, std::pair{2, 1}, std::pair{1, 2}}) {
    Conv2d layer(Conv2dOptions{2, 3, 3, stride, padding, true});
    randomize_parameters(layer, 3);
    require_passed(
        check_layer_gradients(layer, {random_tensor({2, 2, 6, 5}, 4)}, train_context),
        "conv2d stride " + std::to_string(stride) + " padding " + std::to_string(padding));
  }
}

TEST_CASE("gradient: batchnorm 1d and 2d in train and eval mode", "[gradient]") {
  for (Mode mode : {Mode::kTrain, Mode::kEval}) {
    auto ctx = [mode] { return ForwardContext{mode, nullptr}; };
    BatchNorm bn1(1, 4);
    randomize_parameters(bn1, 5);
    bn1.running_var() = Tensor({4}, 1.5f);
    require_passed(check_layer_gradients(bn1, {random_tensor({6, 4}, 6)}, ctx), "batchnorm1d");
    BatchNorm bn2(2, 3);
    randomize_parameters(bn2, 7);
    require_passed(check_layer_gradients(bn2, {random_tensor({2, 3, 3, 2}, 8)}, ctx),
                   "batchnorm2d");
  }
}

TEST_CASE("gradient: relu", "[gradient]") {
  ReLU layer;
  require_passed(check_layer_gradients(layer, {spread_tensor({4, 10}, 9, 0.05f)}, train_context),
                 "relu");
}

TEST_CASE("gradient: max and average pooling", "[gradient]") {
  MaxPool2d max_pool(PoolOptions{2, 2, 0});
  require_passed(
      check_layer_gradients(max_pool, {spread_tensor({2, 2, 6, 6}, 10, 0.05f)}, train_context),
      "maxpool2d");
  MaxPool2d padded_max(PoolOptions{3, 2, 1});
  require_passed(
      check_layer_gradients(padded_max, {spread_tensor({1, 2, 5, 5}, 11, 0.05f)}, train_context),
      "maxpool2d k3 s2 p1");
  AvgPool2d avg_pool(PoolOptions{3, 2, 1});
  require_passed(check_layer_gradients(avg_pool, {random_tensor({2, 2, 5, 5}, 12)}, train_context),
                 "avgpool2d k3 s2 p1");
  GlobalAvgPool gap;
  require_passed(check_layer_gradients(gap, {random_tensor({2, 3, 4, 4}, 13)}, train_context),
                 "global_avgpool");
}

TEST_CASE("gradient: flatten and add and dropout", "[gradient]") {
  Flatten flatten;
  require_passed(check_layer_gradients(flatten, {random_tensor({2, 3, 2, 2}, 14)}, train_context),
                 "flatten");
  Add add;
  require_passed(check_layer_gradients(add, {random_tensor({2, 5}, 15), random_tensor({2, 5}, 16)},
                                       train_context),
                 "add");
  Dropout dropout(0.4f);
  Rng rng(17);
  auto same_mask = [&rng] {
    rng = Rng(17);
    return ForwardContext{Mode::kTrain, &rng};
  };
  require_passed(check_layer_gradients(dropout, {random_tensor({4, 6}, 18)}, same_mask), "dropout");
}

TEST_CASE("gradient: graph with residual forks sums gradients of every consumer", "[gradient]") {
  // No ReLU or max pooling here: a finite difference across a kink is meaningless, and
  // this test is about the graph's bookkeeping (fan-out, ordering), not the layers.
  Model model("fork-test", {1, 6, 6}, 3);
  model.add("stem", std::make_unique<Conv2d>(Conv2dOptions{1, 4, 3, 1, 1, false}));
  model.add("stem_bn", std::make_unique<BatchNorm>(2, 4));
  model.add("branch", std::make_unique<Conv2d>(Conv2dOptions{4, 4, 3, 1, 1, true}), {"stem_bn"});
  model.add("branch_bn", std::make_unique<BatchNorm>(2, 4));
  model.add("shortcut", std::make_unique<Conv2d>(Conv2dOptions{4, 4, 1, 1, 0, true}), {"stem_bn"});
  model.add("join", std::make_unique<Add>(), {"branch_bn", "shortcut"});
  model.add("join2", std::make_unique<Add>(), {"join", "stem_bn"});  // stem_bn read 3 times
  model.add("pool", std::make_unique<AvgPool2d>(PoolOptions{2, 2, 0}));
  model.add("flatten", std::make_unique<Flatten>());
  model.add("fc", std::make_unique<Linear>(36, 3));
  Rng rng(19);
  init_parameters(model, rng);
  for (Mode mode : {Mode::kTrain, Mode::kEval}) {
    require_passed(check_model_gradients(model, random_tensor({3, 1, 6, 6}, 20), mode),
                   mode == Mode::kTrain ? "fork graph (train)" : "fork graph (eval)");
  }
}

}  // namespace slim::testing
