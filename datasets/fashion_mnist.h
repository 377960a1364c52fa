// Fashion-MNIST, read from the Debian package dataset-fashion-mnist.
#pragma once

#include <filesystem>
#include <string_view>

#include "datasets/dataset.h"

namespace slim {

// Where the Debian package installs the four gzipped IDX files.
inline constexpr std::string_view kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";
// Overrides the directory (tests point it somewhere empty to simulate a missing package).
inline constexpr const char* kFashionMnistDirEnv = "SLIMBENCH_FASHION_MNIST_DIR";

std::filesystem::path fashion_mnist_dir();

// 60000 train / 10000 test 28x28 grey images in 10 classes. A missing file gives a
// one-line error that says which Debian package to install.
Dataset load_fashion_mnist();

}  // namespace slim
