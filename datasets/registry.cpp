#include "datasets/registry.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <string>

#include "core/error.h"
#include "datasets/fashion_mnist.h"
#include "datasets/idx_directory.h"
#include "datasets/synthetic.h"

namespace slim {
namespace {

Dataset load_fashion_mnist_spec(std::string_view /*argument*/) {
  return load_fashion_mnist();
}

Dataset load_idx_spec(std::string_view argument) {
  return load_idx_directory(std::filesystem::path(argument), fmt::format("idx:{}", argument),
                            std::nullopt);
}

Dataset load_synthetic_spec(std::string_view argument) {
  if (argument.empty()) return make_synthetic();
  uint64_t seed = 0;
  const char* end = argument.data() + argument.size();
  const auto [stop, error] = std::from_chars(argument.data(), end, seed);
  if (error != std::errc() || stop != end) {
    fail("dataset synthetic: seed '{}' is not a non-negative integer (use synthetic:<seed>)",
         argument);
  }
  return make_synthetic(seed);
}

constexpr std::array<DatasetInfo, 3> kDatasets{{
    {"fashion-mnist", "fashion-mnist",
     "Fashion-MNIST, 60000/10000 28x28 grey images, 10 classes (Debian dataset-fashion-mnist)",
     DatasetArgument::kNone, load_fashion_mnist_spec},
    {"idx", "idx:<dir>",
     "any MNIST-style directory of the four IDX files (train-images-idx3-ubyte etc., plain or .gz)",
     DatasetArgument::kRequired, load_idx_spec},
    {"synthetic", "synthetic[:<seed>]",
     "generated 10-class 28x28 blobs, 2000/500 images, for fast deterministic tests",
     DatasetArgument::kOptional, load_synthetic_spec},
}};

std::string valid_specs() {
  std::string out;
  for (const DatasetInfo& info : kDatasets) {
    if (!out.empty()) out += ", ";
    out += info.usage;
  }
  return out;
}

}  // namespace

std::span<const DatasetInfo> dataset_table() {
  return kDatasets;
}

Dataset load_dataset(std::string_view spec) {
  const size_t colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  const bool has_argument = colon != std::string_view::npos;
  const std::string_view argument = has_argument ? spec.substr(colon + 1) : std::string_view();
  for (const DatasetInfo& info : kDatasets) {
    if (info.name != name) continue;
    if (info.argument == DatasetArgument::kNone && has_argument) {
      fail("dataset {} takes no argument (got '{}'); write it as {}", name, spec, info.usage);
    }
    // "idx" and "synthetic:" are both missing the text that should follow the name.
    const bool needs_text = info.argument == DatasetArgument::kRequired || has_argument;
    if (needs_text && argument.empty()) fail("dataset {} needs an argument: {}", name, info.usage);
    return info.loader(argument);
  }
  fail("unknown dataset '{}'; valid datasets: {}", spec, valid_specs());
}

}  // namespace slim
