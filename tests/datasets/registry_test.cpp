// load_dataset specs: idx:<dir> round trips, unknown names, malformed arguments, and the
// table the CLI lists.
#include "datasets/registry.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "tests/datasets/idx_writer.h"
#include "tests/datasets/temp_dir.h"

namespace slim {
namespace {

using testing::idx_bytes;
using testing::TempDir;
using testing::write_file;

std::string load_error(const std::string& spec) {
  try {
    load_dataset(spec);
  } catch (const UserError& e) {
    return e.what();
  }
  return {};
}

// A tiny 3-class dataset of 2x3 images: 4 train, 2 test samples.
struct TinySplit {
  std::vector<uint8_t> images;
  std::vector<uint8_t> labels;
};

const TinySplit kTrain{{0,   10,  20,  30,  40,  50,  60,  70,  80,  90,  100, 110,
                        120, 130, 140, 150, 160, 170, 180, 190, 200, 210, 220, 255},
                       {0, 2, 1, 2}};
const TinySplit kTest{{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, {1, 0}};

// Writes the four standard files; the train files gzipped, the test files plain, so one
// directory exercises both accepted names.
void write_tiny_dataset(const std::filesystem::path& dir, const TinySplit& train,
                        const TinySplit& test) {
  write_file(dir / "train-images-idx3-ubyte.gz", idx_bytes({4, 2, 3}, train.images), true);
  write_file(dir / "train-labels-idx1-ubyte.gz", idx_bytes({4}, train.labels), true);
  write_file(dir / "t10k-images-idx3-ubyte", idx_bytes({2, 2, 3}, test.images), false);
  write_file(dir / "t10k-labels-idx1-ubyte", idx_bytes({2}, test.labels), false);
}

TEST_CASE("registry: idx:<dir> loads plain and gzipped files back exactly",
          "[datasets][registry]") {
  TempDir dir("idx-dir");
  write_tiny_dataset(dir.path(), kTrain, kTest);
  const Dataset data = load_dataset("idx:" + dir.path().string());
  CHECK(data.name == "idx:" + dir.path().string());
  CHECK(data.sample_shape == Shape{1, 2, 3});
  CHECK(data.num_classes == 3);  // largest train label + 1
  CHECK(data.train.count == 4);
  CHECK(data.test.count == 2);
  CHECK(data.train.images == kTrain.images);
  CHECK(data.train.labels == kTrain.labels);
  CHECK(data.test.images == kTest.images);
  CHECK(data.test.labels == kTest.labels);
  REQUIRE(data.files.size() == 4);
  CHECK(data.files[0].path.ends_with("train-images-idx3-ubyte.gz"));
  CHECK(data.files[2].path.ends_with("t10k-images-idx3-ubyte"));
  // Train-split statistics of pixel/255, computed here independently.
  double sum = 0.0;
  for (uint8_t p : kTrain.images) sum += p / 255.0;
  const double mean = sum / 24.0;
  double squares = 0.0;
  for (uint8_t p : kTrain.images) squares += (p / 255.0 - mean) * (p / 255.0 - mean);
  CAPTURE(data.mean, data.stddev, mean);
  CHECK(data.mean == Approx(mean).epsilon(1e-6));
  CHECK(data.stddev == Approx(std::sqrt(squares / 24.0)).epsilon(1e-6));
}

TEST_CASE("registry: idx:<dir> rejects test labels outside the train classes",
          "[datasets][registry]") {
  TempDir dir("idx-labels");
  TinySplit bad_test = kTest;
  bad_test.labels[1] = 7;
  write_tiny_dataset(dir.path(), kTrain, bad_test);
  const std::string message = load_error("idx:" + dir.path().string());
  INFO(message);
  CHECK(message.find("label") != std::string::npos);
  CHECK(message.find("7") != std::string::npos);
}

TEST_CASE("registry: idx:<dir> rejects image and label counts that disagree",
          "[datasets][registry]") {
  TempDir dir("idx-counts");
  write_tiny_dataset(dir.path(), kTrain, kTest);
  write_file(dir.path() / "t10k-labels-idx1-ubyte", idx_bytes({3}, std::vector<uint8_t>{0, 1, 2}),
             false);
  const std::string message = load_error("idx:" + dir.path().string());
  INFO(message);
  CHECK(message.find("2 images") != std::string::npos);
  CHECK(message.find("3 labels") != std::string::npos);
}

TEST_CASE("registry: idx:<dir> with a missing file names it", "[datasets][registry]") {
  TempDir dir("idx-partial");
  write_tiny_dataset(dir.path(), kTrain, kTest);
  std::filesystem::remove(dir.path() / "t10k-labels-idx1-ubyte");
  const std::string message = load_error("idx:" + dir.path().string());
  INFO(message);
  CHECK(message.find("t10k-labels-idx1-ubyte") != std::string::npos);
}

TEST_CASE("registry: an unknown dataset lists the valid names", "[datasets][registry]") {
  const std::string message = load_error("mnist-fancy");
  INFO(message);
  CHECK(message.find("mnist-fancy") != std::string::npos);
  CHECK(message.find("fashion-mnist, idx:<dir>, synthetic") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("registry: malformed arguments are one-line errors", "[datasets][registry]") {
  for (const std::string spec :
       {"idx", "idx:", "synthetic:", "synthetic:abc", "synthetic:-1", "fashion-mnist:/tmp"}) {
    CAPTURE(spec);
    const std::string message = load_error(spec);
    INFO(message);
    CHECK_FALSE(message.empty());
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("registry: the table lists every dataset with a description", "[datasets][registry]") {
  std::vector<std::string> usages;
  for (const DatasetInfo& info : dataset_table()) {
    CHECK_FALSE(info.description.empty());
    CHECK(info.loader != nullptr);
    usages.emplace_back(info.usage);
  }
  CHECK(usages == std::vector<std::string>{"fashion-mnist", "idx:<dir>", "synthetic[:<seed>]"});
}

TEST_CASE("registry: synthetic:<seed> selects the seed", "[datasets][registry]") {
  const Dataset seeded = load_dataset("synthetic:7");
  const Dataset plain = load_dataset("synthetic");
  CHECK(seeded.name == "synthetic:7");
  CHECK(plain.name == "synthetic");
  CHECK(seeded.train.images != plain.train.images);
}

}  // namespace
}  // namespace slim
