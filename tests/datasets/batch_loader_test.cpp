// BatchLoader and calibration subsets: order, coverage, normalisation, drop_last, and
// determinism.
#include "datasets/batch_loader.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <vector>

#include "core/error.h"
#include "datasets/synthetic.h"

namespace slim {
namespace {

const Dataset& synthetic() {
  static const Dataset data = make_synthetic();
  return data;
}

// Every sample index the loader yields this epoch, in order, read back through the
// labels and pixels so the test checks what fill_batch produced, not just epoch_order.
std::vector<int64_t> epoch_samples(BatchLoader& loader, uint64_t epoch) {
  loader.set_epoch(epoch);
  std::vector<int64_t> seen;
  Batch batch;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const auto order = loader.epoch_order();
    for (int64_t i = 0; i < batch.size(); ++i) {
      seen.push_back(order[static_cast<size_t>(b * loader.batch_size() + i)]);
    }
  }
  return seen;
}

TEST_CASE("batch loader: same seed gives the same order, another seed another",
          "[datasets][batch-loader]") {
  const Dataset& data = synthetic();
  BatchLoader a(data, data.train, {.batch_size = 64, .shuffle_seed = 11});
  BatchLoader b(data, data.train, {.batch_size = 64, .shuffle_seed = 11});
  BatchLoader c(data, data.train, {.batch_size = 64, .shuffle_seed = 12});
  CHECK(epoch_samples(a, 0) == epoch_samples(b, 0));
  CHECK(epoch_samples(a, 3) == epoch_samples(b, 3));
  CHECK(epoch_samples(a, 0) != epoch_samples(c, 0));
  // Each epoch reshuffles, and an epoch's order does not depend on the epochs before it.
  CHECK(epoch_samples(a, 0) != epoch_samples(a, 1));
  BatchLoader fresh(data, data.train, {.batch_size = 64, .shuffle_seed = 11});
  CHECK(epoch_samples(fresh, 5) == epoch_samples(a, 5));
}

TEST_CASE("batch loader: without a seed the split order is kept", "[datasets][batch-loader]") {
  const Dataset& data = synthetic();
  BatchLoader loader(data, data.test, {.batch_size = 100});
  const std::vector<int64_t> seen = epoch_samples(loader, 0);
  REQUIRE(seen.size() == static_cast<size_t>(data.test.count));
  for (size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] == static_cast<int64_t>(i));
}

TEST_CASE("batch loader: every index exactly once per epoch, labels and indices match",
          "[datasets][batch-loader]") {
  const Dataset& data = synthetic();
  BatchLoader loader(data, data.train, {.batch_size = 48, .shuffle_seed = 5});
  for (uint64_t epoch : {0u, 1u, 7u}) {
    CAPTURE(epoch);
    loader.set_epoch(epoch);
    std::vector<int> hits(static_cast<size_t>(data.train.count), 0);
    Batch batch;
    for (int64_t b = 0; b < loader.num_batches(); ++b) {
      loader.fill_batch(b, batch);
      for (int64_t i = 0; i < batch.size(); ++i) {
        const int64_t sample = loader.epoch_order()[static_cast<size_t>(b * 48 + i)];
        ++hits[static_cast<size_t>(sample)];
        REQUIRE(batch.labels[static_cast<size_t>(i)] == data.train.labels[sample]);
        REQUIRE(batch.indices[static_cast<size_t>(i)] == sample);
      }
    }
    CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
  }
}

TEST_CASE("batch loader: pixels are normalised with the train statistics",
          "[datasets][batch-loader]") {
  const Dataset& data = synthetic();
  BatchLoader loader(data, data.test, {.batch_size = 8, .shuffle_seed = 9});
  Batch batch;
  loader.fill_batch(1, batch);
  CHECK(batch.x.shape() == Shape{8, 1, 28, 28});
  const int64_t sample = loader.epoch_order()[8 + 3];
  for (int64_t pixel : {0, 300, 405, 783}) {
    const uint8_t raw = data.test.images[static_cast<size_t>(sample * 784 + pixel)];
    const double expected = (raw / 255.0 - data.mean) / data.stddev;
    CAPTURE(pixel, raw, expected, data.mean, data.stddev);
    CHECK(batch.x[3 * 784 + pixel] == Approx(expected).margin(1e-5));
  }
}

TEST_CASE("batch loader: drop_last drops only the short final batch", "[datasets][batch-loader]") {
  const Dataset& data = synthetic();  // 500 test samples
  BatchLoader keep(data, data.test, {.batch_size = 128, .drop_last = false});
  BatchLoader drop(data, data.test, {.batch_size = 128, .drop_last = true});
  CHECK(keep.num_batches() == 4);
  CHECK(drop.num_batches() == 3);
  Batch batch;
  keep.fill_batch(3, batch);
  CHECK(batch.size() == 500 - 3 * 128);
  CHECK(batch.x.shape() == Shape{500 - 3 * 128, 1, 28, 28});
  drop.fill_batch(2, batch);
  CHECK(batch.size() == 128);
  CHECK(batch.x.shape() == Shape{128, 1, 28, 28});
  CHECK_THROWS_AS(drop.fill_batch(3, batch), std::out_of_range);
  BatchLoader exact(data, data.test, {.batch_size = 100, .drop_last = true});
  CHECK(exact.num_batches() == 5);
}

TEST_CASE("batch loader: a full-size batch reuses the tensor's storage",
          "[datasets][batch-loader]") {
  const Dataset& data = synthetic();
  BatchLoader loader(data, data.train, {.batch_size = 256, .shuffle_seed = 1});
  Batch batch;
  loader.fill_batch(0, batch);
  const float* storage = batch.x.data();
  const auto start = std::chrono::steady_clock::now();
  constexpr int kRepeats = 200;
  for (int r = 0; r < kRepeats; ++r) loader.fill_batch(r % 7, batch);
  const double micros =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      kRepeats;
  CAPTURE(micros);
  CHECK(batch.x.data() == storage);
  WARN("256-image batch fill: " << micros << " us");
  CHECK(micros < 2000.0);  // generous: a debug or sanitizer build must pass too
}

TEST_CASE("batch loader: a bad batch size is a UserError", "[datasets][batch-loader]") {
  const Dataset& data = synthetic();
  CHECK_THROWS_AS(BatchLoader(data, data.test, {.batch_size = 0}), UserError);
}

TEST_CASE("calibration: deterministic, distinct, in range and sorted", "[datasets][calibration]") {
  const Dataset& data = synthetic();
  const std::vector<int64_t> a = calibration_indices(data.train, 256, 42);
  const std::vector<int64_t> b = calibration_indices(data.train, 256, 42);
  const std::vector<int64_t> c = calibration_indices(data.train, 256, 43);
  CHECK(a == b);
  CHECK(a != c);
  REQUIRE(a.size() == 256);
  CHECK(std::set<int64_t>(a.begin(), a.end()).size() == 256);
  CHECK(std::is_sorted(a.begin(), a.end()));
  CHECK(a.front() >= 0);
  CHECK(a.back() < data.train.count);
  // The whole split is a valid (if pointless) subset.
  CHECK(calibration_indices(data.test, data.test.count, 1).size() == 500);
  CHECK_THROWS_AS(calibration_indices(data.test, 501, 1), UserError);
  CHECK_THROWS_AS(calibration_indices(data.test, 0, 1), UserError);
}

TEST_CASE("calibration: the subset's samples do not depend on the batch size",
          "[datasets][calibration]") {
  const Dataset& data = synthetic();
  const std::vector<int64_t> subset = calibration_indices(data.train, 100, 7);
  std::vector<std::vector<int32_t>> labels_by_batch_size;
  std::vector<std::vector<float>> pixels_by_batch_size;
  for (int64_t batch_size : {1, 32, 100, 128}) {
    BatchLoader loader(data, data.train, subset, {.batch_size = batch_size});
    CHECK(loader.num_samples() == 100);
    std::vector<int32_t> labels;
    std::vector<float> pixels;
    Batch batch;
    for (int64_t b = 0; b < loader.num_batches(); ++b) {
      loader.fill_batch(b, batch);
      labels.insert(labels.end(), batch.labels.begin(), batch.labels.end());
      pixels.insert(pixels.end(), batch.x.values().begin(), batch.x.values().end());
    }
    labels_by_batch_size.push_back(labels);
    pixels_by_batch_size.push_back(pixels);
  }
  for (size_t i = 1; i < labels_by_batch_size.size(); ++i) {
    CAPTURE(i);
    CHECK(labels_by_batch_size[i] == labels_by_batch_size[0]);
    CHECK(pixels_by_batch_size[i] == pixels_by_batch_size[0]);
  }
  for (size_t i = 0; i < subset.size(); ++i) {
    REQUIRE(labels_by_batch_size[0][i] == data.train.labels[static_cast<size_t>(subset[i])]);
  }
}

TEST_CASE("batch loader: indices outside the split are rejected", "[datasets][batch-loader]") {
  const Dataset& data = synthetic();
  CHECK_THROWS_AS(BatchLoader(data, data.test, {0, 500}, {.batch_size = 4}), std::out_of_range);
}

}  // namespace
}  // namespace slim
