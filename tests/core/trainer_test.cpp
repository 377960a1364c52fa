// The training loop's guard against divergence (core/train/trainer.h).
#include "core/train/trainer.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "core/train/init.h"
#include "datasets/synthetic.h"
#include "models/zoo.h"

namespace slim {
namespace {

Recipe one_epoch_recipe(float lr) {
  Recipe recipe;
  recipe.epochs = 1;
  recipe.batch_size = 64;
  recipe.lr = lr;
  return recipe;
}

Model fresh_lenet_300_100(const Dataset& dataset) {
  Model model = find_model("lenet-300-100").build(dataset.sample_shape, dataset.num_classes);
  Rng rng(3);
  init_parameters(model, rng);
  return model;
}

// A NaN loss would otherwise train on to chance accuracy and be recorded as a result.
TEST_CASE("training that diverges stops with an error naming the epoch and learning rate",
          "[train]") {
  const Dataset dataset = make_synthetic();
  Model model = fresh_lenet_300_100(dataset);
  TrainHooks hooks;
  hooks.evaluate_each_epoch = false;
  // Hooks can produce a loss the default cross-entropy cannot, as a badly scaled
  // distillation term does once the weights blow up.
  hooks.loss = [](const Tensor& logits, const Batch&, Tensor& grad) {
    grad.resize(logits.shape());
    grad.fill(0.0f);
    return std::numeric_limits<float>::quiet_NaN();
  };
  CHECK_THROWS_AS(train(model, dataset, one_epoch_recipe(0.01f), hooks), UserError);
  CHECK_THROWS_WITH(train(model, dataset, one_epoch_recipe(0.01f), hooks),
                    Catch::Matchers::Contains("training diverged") &&
                        Catch::Matchers::Contains("epoch 1, batch 1") &&
                        Catch::Matchers::Contains("lower the learning rate"));

  SECTION("a learning rate far too large diverges on its own") {
    Model again = fresh_lenet_300_100(dataset);
    TrainHooks quiet;
    quiet.evaluate_each_epoch = false;
    CHECK_THROWS_WITH(train(again, dataset, one_epoch_recipe(1e6f), quiet),
                      Catch::Matchers::Contains("training diverged"));
  }
}

TEST_CASE("a sensible learning rate trains without tripping the divergence guard", "[train]") {
  const Dataset dataset = make_synthetic();
  Model model = fresh_lenet_300_100(dataset);
  TrainHooks hooks;
  hooks.evaluate_each_epoch = false;
  const std::vector<EpochReport> reports = train(model, dataset, one_epoch_recipe(0.05f), hooks);
  REQUIRE(reports.size() == 1);
  CHECK(std::isfinite(reports[0].train_loss));
}

}  // namespace
}  // namespace slim
