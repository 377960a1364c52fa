#include "datasets/fashion_mnist.h"

#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"
#include "datasets/idx_directory.h"

namespace slim {
namespace {

constexpr int kClasses = 10;
constexpr int64_t kTrainCount = 60000;
constexpr int64_t kTestCount = 10000;
constexpr int64_t kSide = 28;

// The files are fine as IDX but might still be some other dataset; the name promises
// Fashion-MNIST, so hold it to Fashion-MNIST's sizes (idx:<dir> takes anything else).
void check_sizes(const Dataset& dataset, const std::filesystem::path& dir) {
  if (dataset.train.count != kTrainCount || dataset.test.count != kTestCount ||
      dataset.sample_shape != Shape{1, kSide, kSide}) {
    fail("{}: expected Fashion-MNIST's {} train / {} test {}x{} images, found {} / {} of shape {}",
         dir.string(), kTrainCount, kTestCount, kSide, kSide, dataset.train.count,
         dataset.test.count, shape_to_string(dataset.sample_shape));
  }
}

}  // namespace

std::filesystem::path fashion_mnist_dir() {
  const char* override_dir = std::getenv(kFashionMnistDirEnv);
  if (override_dir != nullptr && *override_dir != '\0') return override_dir;
  return std::filesystem::path(kFashionMnistDefaultDir);
}

Dataset load_fashion_mnist() {
  const std::filesystem::path dir = fashion_mnist_dir();
  const std::vector<std::string> missing = missing_idx_files(dir);
  if (!missing.empty()) {
    // When the directory came from the override, the override may be what is wrong.
    const bool overridden = dir != std::filesystem::path(kFashionMnistDefaultDir);
    const std::string what =
        std::filesystem::is_directory(dir)
            ? fmt::format("{} lacks {}", dir.string(), fmt::join(missing, ", "))
            : fmt::format("directory {} does not exist", dir.string());
    fail(
        "dataset fashion-mnist not found: {}; install the Debian package dataset-fashion-mnist "
        "(apt-get install dataset-fashion-mnist){}",
        what, overridden ? fmt::format(" or fix {}", kFashionMnistDirEnv) : "");
  }
  Dataset dataset = load_idx_directory(dir, "fashion-mnist", kClasses);
  check_sizes(dataset, dir);
  return dataset;
}

}  // namespace slim
