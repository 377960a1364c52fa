#include "datasets/idx_directory.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/error.h"
#include "core/sha256.h"
#include "datasets/idx.h"

namespace slim {
namespace {

namespace fs = std::filesystem;

constexpr std::array<IdxFileSpec, 4> kSpecs{{
    {"train-images", "train-images-idx3-ubyte", 3},
    {"train-labels", "train-labels-idx1-ubyte", 1},
    {"test-images", "t10k-images-idx3-ubyte", 3},
    {"test-labels", "t10k-labels-idx1-ubyte", 1},
}};

// Reads one images/labels pair into a split, checking the two files agree on the count.
Split read_split(const fs::path& images_path, const fs::path& labels_path, Shape& sample_shape) {
  IdxArray images = read_idx_uint8(images_path, 3);
  IdxArray labels = read_idx_uint8(labels_path, 1);
  if (images.dims[0] != labels.dims[0]) {
    fail("{} holds {} images but {} holds {} labels", images_path.string(), images.dims[0],
         labels_path.string(), labels.dims[0]);
  }
  const Shape shape{1, images.dims[1], images.dims[2]};
  // The train split fixes the shape; the test split must match it.
  if (sample_shape.empty()) sample_shape = shape;
  if (shape != sample_shape) {
    fail("{}: images are {}x{}, but the train images are {}x{}", images_path.string(), shape[1],
         shape[2], sample_shape[1], sample_shape[2]);
  }
  Split split;
  split.count = images.dims[0];
  split.images = std::move(images.data);
  split.labels = std::move(labels.data);
  return split;
}

int infer_num_classes(const Split& train) {
  if (train.labels.empty()) return 0;
  return *std::max_element(train.labels.begin(), train.labels.end()) + 1;
}

}  // namespace

std::span<const IdxFileSpec> idx_file_specs() {
  return kSpecs;
}

std::optional<fs::path> find_idx_file(const fs::path& dir, std::string_view base_name) {
  const fs::path plain = dir / base_name;
  if (fs::is_regular_file(plain)) return plain;
  fs::path gzipped = plain;
  gzipped += ".gz";
  if (fs::is_regular_file(gzipped)) return gzipped;
  return std::nullopt;
}

std::vector<std::string> missing_idx_files(const fs::path& dir) {
  std::vector<std::string> missing;
  for (const IdxFileSpec& spec : kSpecs) {
    if (!find_idx_file(dir, spec.base_name)) missing.emplace_back(spec.base_name);
  }
  return missing;
}

Dataset load_idx_directory(const fs::path& dir, std::string name, std::optional<int> num_classes) {
  if (!fs::is_directory(dir)) fail("dataset {}: directory {} does not exist", name, dir.string());
  const std::vector<std::string> missing = missing_idx_files(dir);
  if (!missing.empty()) {
    fail("dataset {}: {} lacks {} (plain or .gz)", name, dir.string(), fmt::join(missing, ", "));
  }
  std::array<fs::path, 4> paths;
  for (size_t i = 0; i < kSpecs.size(); ++i) paths[i] = *find_idx_file(dir, kSpecs[i].base_name);

  Dataset dataset;
  dataset.name = std::move(name);
  dataset.train = read_split(paths[0], paths[1], dataset.sample_shape);
  dataset.test = read_split(paths[2], paths[3], dataset.sample_shape);
  dataset.num_classes = num_classes.value_or(infer_num_classes(dataset.train));
  for (size_t i = 0; i < kSpecs.size(); ++i) {
    dataset.files.push_back(
        {std::string(kSpecs[i].role), paths[i].string(), sha256_file(paths[i])});
  }
  finalize_dataset(dataset);
  return dataset;
}

}  // namespace slim
