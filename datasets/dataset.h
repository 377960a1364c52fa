// Dataset: an image classification dataset held in memory as raw uint8 pixels.
//
// Pixels stay as bytes (47 MB for Fashion-MNIST rather than 188 MB of floats); the
// BatchLoader normalises them batch by batch with the train-split statistics kept here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace slim {

struct Split {
  std::vector<uint8_t> images;  // count * numel(sample_shape) bytes, sample-major
  std::vector<uint8_t> labels;  // count class indices
  int64_t count = 0;
};

// A file a dataset was read from, with its checksum, so results can record exactly
// which bytes they were computed on.
struct DatasetFile {
  std::string role;  // "train-images", "train-labels", "test-images" or "test-labels"
  std::string path;
  std::string sha256;
};

struct Dataset {
  std::string name;    // the spec it was loaded from, e.g. "fashion-mnist"
  Shape sample_shape;  // {channels, height, width}, e.g. {1, 28, 28}
  int num_classes = 0;
  Split train;
  Split test;
  // Statistics of pixel/255 over every train pixel; inputs are (pixel/255 - mean) / stddev.
  float mean = 0.0f;
  float stddev = 1.0f;
  std::vector<DatasetFile> files;  // empty for generated datasets

  int64_t sample_numel() const { return shape_numel(sample_shape); }
};

// Checks that a split's byte counts match `count`, and that every label is below the
// dataset's class count; throws a UserError naming the dataset and split otherwise.
void validate_split(const Dataset& dataset, const Split& split, std::string_view split_name);

struct PixelStats {
  double mean = 0.0;
  double stddev = 0.0;
};

// Mean and (population) standard deviation of pixel/255 over all of `images`. Computed
// from a 256-bin histogram, so the result is exact up to the final divisions and does
// not depend on summation order.
PixelStats compute_pixel_stats(const std::vector<uint8_t>& images);

// Validates both splits and fills mean/stddev from the train split; every loader ends
// with this so no dataset escapes unchecked.
void finalize_dataset(Dataset& dataset);

}  // namespace slim
