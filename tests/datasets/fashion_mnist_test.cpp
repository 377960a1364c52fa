// Fashion-MNIST from the Debian package: sizes, labels, statistics, checksums, and the
// error a user sees when the package is not installed.
#include "datasets/fashion_mnist.h"

#include <array>
#include <catch2/catch.hpp>
#include <string>

#include "core/error.h"
#include "datasets/registry.h"
#include "tests/datasets/temp_dir.h"

namespace slim {
namespace {

bool is_lower_hex(const std::string& text) {
  return text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

TEST_CASE("fashion-mnist: sizes, labels, class balance, statistics and checksums",
          "[datasets][fashion-mnist]") {
  const Dataset data = load_dataset("fashion-mnist");
  CHECK(data.name == "fashion-mnist");
  CHECK(data.train.count == 60000);
  CHECK(data.test.count == 10000);
  CHECK(data.sample_shape == Shape{1, 28, 28});
  CHECK(data.num_classes == 10);
  CHECK(data.train.images.size() == 60000u * 784u);
  CHECK(data.test.images.size() == 10000u * 784u);

  std::array<int, 10> train_counts{};
  for (uint8_t label : data.train.labels) {
    REQUIRE(label < 10);
    ++train_counts[label];
  }
  for (int c = 0; c < 10; ++c) {
    CAPTURE(c);
    CHECK(train_counts[c] == 6000);
  }
  std::array<int, 10> test_counts{};
  for (uint8_t label : data.test.labels) {
    REQUIRE(label < 10);
    ++test_counts[label];
  }
  CHECK(test_counts[0] == 1000);

  CAPTURE(data.mean, data.stddev);
  CHECK(data.mean == Approx(0.2860).margin(1e-3));
  CHECK(data.stddev == Approx(0.3530).margin(1e-3));

  REQUIRE(data.files.size() == 4);
  for (const DatasetFile& file : data.files) {
    CAPTURE(file.role, file.path, file.sha256);
    CHECK(file.sha256.size() == 64);
    CHECK(is_lower_hex(file.sha256));
  }
  CHECK(data.files[0].role == "train-images");
  CHECK(data.files[3].role == "test-labels");
}

TEST_CASE("fashion-mnist: a missing dataset says which Debian package to install",
          "[datasets][fashion-mnist]") {
  testing::TempDir parent("fmnist-missing");
  const auto missing_dir = parent.path() / "does-not-exist";
  testing::ScopedEnv env(kFashionMnistDirEnv, missing_dir.string());
  std::string message;
  try {
    load_dataset("fashion-mnist");
  } catch (const UserError& e) {
    message = e.what();
  }
  INFO(message);
  CHECK(message.find("dataset-fashion-mnist") != std::string::npos);
  CHECK(message.find("apt-get install dataset-fashion-mnist") != std::string::npos);
  CHECK(message.find(missing_dir.string()) != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
}

}  // namespace
}  // namespace slim
