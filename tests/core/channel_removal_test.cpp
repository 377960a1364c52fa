// Physically removing channels: a model whose removed filters were already dead (zero
// weights and bias, followed by ReLU) must compute exactly the same outputs afterwards.
#include <catch2/catch.hpp>
#include <vector>

#include "core/channel_slice.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"
#include "core/train/init.h"
#include "models/zoo.h"
#include "tests/core/gradient_check.h"

namespace slim::testing {

TEST_CASE("keep_along_axis selects and reorders slices", "[channels]") {
  const Tensor t({2, 3, 2}, std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  const std::vector<int64_t> keep = {2, 0};
  const Tensor kept = keep_along_axis(t, 1, keep);
  CHECK(kept.shape() == Shape{2, 2, 2});
  CHECK(std::vector<float>(kept.values().begin(), kept.values().end()) ==
        std::vector<float>{4, 5, 0, 1, 10, 11, 6, 7});
  const std::vector<int64_t> bad = {3};
  CHECK_THROWS_AS(keep_along_axis(t, 1, bad), std::out_of_range);
}

TEST_CASE("removing dead conv filters of lenet-5 leaves the logits unchanged", "[channels]") {
  Model model = find_model("lenet-5").build({1, 28, 28}, 10);
  Rng rng(3);
  init_parameters(model, rng);
  auto& conv1 = dynamic_cast<Conv2d&>(model.layer("conv1"));
  auto& conv2 = dynamic_cast<Conv2d&>(model.layer("conv2"));
  // Kill filters 1, 4 and 7 of conv1: their ReLU outputs are exactly zero.
  std::vector<int64_t> keep;
  for (int64_t f = 0; f < 20; ++f) {
    if (f == 1 || f == 4 || f == 7) {
      for (int64_t i = 0; i < 25; ++i) conv1.weight().value[f * 25 + i] = 0.0f;
      conv1.bias().value[f] = 0.0f;
    } else {
      keep.push_back(f);
    }
  }
  const Tensor input = random_tensor({3, 1, 28, 28}, 4);
  const ForwardContext eval{Mode::kEval, nullptr};
  const Tensor before = model.forward(input, eval);

  conv1.keep_output_channels(keep);
  conv2.keep_input_channels(keep);
  const Tensor after = model.forward(input, eval);
  CHECK(conv1.weight().value.shape() == Shape{17, 1, 5, 5});
  CHECK(conv2.weight().value.shape() == Shape{50, 17, 5, 5});
  CHECK(model.parameter_count() == 431080 - 3 * 26 - 3 * 50 * 25);
  const float diff = max_abs_diff(before, after);
  WARN("lenet-5 with 3 dead filters removed: max|logits diff| = " << diff);
  CHECK(diff <= 1e-5f);
}

TEST_CASE("thinning linear and batchnorm keeps the kept channels' values", "[channels]") {
  Linear fc(4, 3);
  fc.weight().value = random_tensor({3, 4}, 5);
  fc.bias().value = random_tensor({3}, 6);
  fc.weight().mask = Tensor({3, 4}, 1.0f);
  const std::vector<int64_t> outputs = {2, 0};
  fc.keep_outputs(outputs);
  CHECK(fc.out_features() == 2);
  CHECK(fc.weight().mask.shape() == Shape{2, 4});
  const std::vector<int64_t> inputs = {1, 3};
  fc.keep_inputs(inputs);
  CHECK(fc.weight().value.shape() == Shape{2, 2});

  BatchNorm bn(2, 4);
  bn.running_mean() = Tensor({4}, std::vector<float>{0, 1, 2, 3});
  const std::vector<int64_t> channels = {3, 1};
  bn.keep_channels(channels);
  CHECK(bn.num_features() == 2);
  CHECK(bn.running_mean()[0] == 3.0f);
  CHECK(bn.running_mean()[1] == 1.0f);
}

}  // namespace slim::testing
