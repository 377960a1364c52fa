#include "datasets/dataset.h"

#include <array>
#include <cmath>

#include "core/error.h"

namespace slim {

void validate_split(const Dataset& dataset, const Split& split, std::string_view split_name) {
  const int64_t image_bytes = split.count * dataset.sample_numel();
  if (static_cast<int64_t>(split.images.size()) != image_bytes) {
    fail("dataset {}: {} split has {} image bytes, expected {} ({} samples of shape {})",
         dataset.name, split_name, split.images.size(), image_bytes, split.count,
         shape_to_string(dataset.sample_shape));
  }
  if (static_cast<int64_t>(split.labels.size()) != split.count) {
    fail("dataset {}: {} split has {} labels for {} images", dataset.name, split_name,
         split.labels.size(), split.count);
  }
  for (size_t i = 0; i < split.labels.size(); ++i) {
    if (split.labels[i] >= dataset.num_classes) {
      fail("dataset {}: {} label #{} is {}, but the dataset has {} classes", dataset.name,
           split_name, i, split.labels[i], dataset.num_classes);
    }
  }
}

PixelStats compute_pixel_stats(const std::vector<uint8_t>& images) {
  std::array<uint64_t, 256> histogram{};
  for (uint8_t pixel : images) ++histogram[pixel];
  const double n = static_cast<double>(images.size());
  if (n == 0) return {};
  double sum = 0.0;
  for (int v = 0; v < 256; ++v) sum += static_cast<double>(histogram[v]) * (v / 255.0);
  const double mean = sum / n;
  // Two-pass variance over the histogram: no cancellation from E[x^2] - E[x]^2.
  double squares = 0.0;
  for (int v = 0; v < 256; ++v) {
    const double d = v / 255.0 - mean;
    squares += static_cast<double>(histogram[v]) * d * d;
  }
  return {mean, std::sqrt(squares / n)};
}

void finalize_dataset(Dataset& dataset) {
  if (dataset.num_classes <= 0) fail("dataset {}: has no classes", dataset.name);
  validate_split(dataset, dataset.train, "train");
  validate_split(dataset, dataset.test, "test");
  if (dataset.train.count == 0) fail("dataset {}: train split is empty", dataset.name);
  const PixelStats stats = compute_pixel_stats(dataset.train.images);
  // A constant image set would make every normalised input NaN; say so instead.
  if (!(stats.stddev > 0.0)) fail("dataset {}: train pixels are all identical", dataset.name);
  dataset.mean = static_cast<float>(stats.mean);
  dataset.stddev = static_cast<float>(stats.stddev);
}

}  // namespace slim
