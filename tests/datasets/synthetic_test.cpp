// The synthetic dataset: deterministic, balanced, learnable, and not solvable from a
// single pixel.
#include "datasets/synthetic.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "datasets/batch_loader.h"

namespace slim {
namespace {

constexpr int kClasses = 10;
constexpr int kPixels = 784;

TEST_CASE("synthetic: two loads give identical bytes", "[datasets][synthetic]") {
  const Dataset a = make_synthetic();
  const Dataset b = make_synthetic();
  CHECK(a.train.images == b.train.images);
  CHECK(a.train.labels == b.train.labels);
  CHECK(a.test.images == b.test.images);
  CHECK(a.test.labels == b.test.labels);
  CHECK(a.mean == b.mean);
  CHECK(a.stddev == b.stddev);
  const Dataset other = make_synthetic(2);
  CHECK(other.train.images != a.train.images);
}

TEST_CASE("synthetic: documented sizes and balanced classes", "[datasets][synthetic]") {
  const Dataset data = make_synthetic();
  CHECK(data.train.count == kSyntheticTrainCount);
  CHECK(data.test.count == kSyntheticTestCount);
  CHECK(data.sample_shape == Shape{1, 28, 28});
  CHECK(data.num_classes == kClasses);
  CHECK(data.files.empty());
  for (const Split* split : {&data.train, &data.test}) {
    std::array<int64_t, kClasses> counts{};
    for (uint8_t label : split->labels) ++counts[label];
    for (int c = 0; c < kClasses; ++c) {
      CAPTURE(split->count, c);
      CHECK(counts[c] == split->count / kClasses);
    }
  }
  CAPTURE(data.mean, data.stddev);
  CHECK(data.mean > 0.05f);
  CHECK(data.stddev > 0.05f);
}

// Softmax regression trained with plain SGD: a stand-in for "a small model" that keeps
// this test independent of the model library.
double linear_model_accuracy(const Dataset& data, int epochs) {
  std::vector<float> w(kClasses * kPixels, 0.0f);
  std::vector<float> b(kClasses, 0.0f);
  const float lr = 0.01f;
  BatchLoader train(data, data.train, {.batch_size = 1, .shuffle_seed = 3});
  Batch batch;
  std::array<float, kClasses> p{};
  auto logits = [&](const float* x) {
    for (int c = 0; c < kClasses; ++c) {
      float z = b[c];
      for (int i = 0; i < kPixels; ++i) z += w[c * kPixels + i] * x[i];
      p[c] = z;
    }
  };
  for (int e = 0; e < epochs; ++e) {
    train.set_epoch(static_cast<uint64_t>(e));
    for (int64_t s = 0; s < train.num_batches(); ++s) {
      train.fill_batch(s, batch);
      logits(batch.x.data());
      const float top = *std::max_element(p.begin(), p.end());
      float total = 0.0f;
      for (float& z : p) total += (z = std::exp(z - top));
      for (int c = 0; c < kClasses; ++c) {
        const float grad = p[c] / total - (c == batch.labels[0] ? 1.0f : 0.0f);
        b[c] -= lr * grad;
        for (int i = 0; i < kPixels; ++i) w[c * kPixels + i] -= lr * grad * batch.x[i];
      }
    }
  }
  BatchLoader test(data, data.test, {.batch_size = 1});
  int correct = 0;
  for (int64_t s = 0; s < test.num_batches(); ++s) {
    test.fill_batch(s, batch);
    logits(batch.x.data());
    correct += std::max_element(p.begin(), p.end()) - p.begin() == batch.labels[0];
  }
  return correct / static_cast<double>(data.test.count);
}

// The best test accuracy any rule reading one pixel (quantised to 16 levels) can reach,
// with each level mapped to its majority train class.
double best_single_pixel_accuracy(const Dataset& data) {
  double best = 0.0;
  for (int pixel = 0; pixel < kPixels; ++pixel) {
    std::array<std::array<int, kClasses>, 16> votes{};
    for (int64_t s = 0; s < data.train.count; ++s) {
      ++votes[data.train.images[s * kPixels + pixel] / 16][data.train.labels[s]];
    }
    int correct = 0;
    for (int64_t s = 0; s < data.test.count; ++s) {
      const auto& level = votes[data.test.images[s * kPixels + pixel] / 16];
      correct +=
          std::max_element(level.begin(), level.end()) - level.begin() == data.test.labels[s];
    }
    best = std::max(best, correct / static_cast<double>(data.test.count));
  }
  return best;
}

TEST_CASE("synthetic: a linear model learns it in two epochs, one pixel does not",
          "[datasets][synthetic]") {
  const Dataset data = make_synthetic();
  const double linear = linear_model_accuracy(data, 2);
  const double one_pixel = best_single_pixel_accuracy(data);
  CAPTURE(linear, one_pixel);
  CHECK(linear > 0.85);
  CHECK(linear < 0.995);  // learnable, not trivial
  CHECK(one_pixel < 0.5);
}

}  // namespace
}  // namespace slim
