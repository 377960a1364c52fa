#include "datasets/batch_loader.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/error.h"
#include "core/rng.h"

namespace slim {
namespace {

std::vector<int64_t> all_indices(int64_t count) {
  std::vector<int64_t> indices(static_cast<size_t>(count));
  std::iota(indices.begin(), indices.end(), int64_t{0});
  return indices;
}

// Resizes only when the batch shape changed, so the steady state allocates nothing (not
// even the temporary Shape a resize call would need).
void shape_batch(Tensor& x, int64_t batch, const Shape& sample_shape) {
  bool same = x.rank() == static_cast<int>(sample_shape.size()) + 1 && x.dim(0) == batch;
  for (size_t d = 0; same && d < sample_shape.size(); ++d) {
    same = x.dim(static_cast<int>(d) + 1) == sample_shape[d];
  }
  if (same) return;
  Shape shape{batch};
  shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
  x.resize(std::move(shape));
}

// The pixel conversion; kept free of aliasing doubts so it vectorises.
void normalise(const uint8_t* __restrict src, float* __restrict dst, int64_t n, float scale,
               float offset) {
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]) * scale + offset;
}

}  // namespace

BatchLoader::BatchLoader(const Dataset& dataset, const Split& split, BatchOptions options)
    : BatchLoader(dataset, split, all_indices(split.count), options) {}

BatchLoader::BatchLoader(const Dataset& dataset, const Split& split, std::vector<int64_t> indices,
                         BatchOptions options)
    : split_(&split),
      sample_shape_(dataset.sample_shape),
      sample_numel_(dataset.sample_numel()),
      scale_(1.0f / (255.0f * dataset.stddev)),
      offset_(-dataset.mean / dataset.stddev),
      options_(options),
      indices_(std::move(indices)) {
  if (options_.batch_size <= 0) fail("batch size must be positive, got {}", options_.batch_size);
  for (int64_t index : indices_) {
    if (index < 0 || index >= split.count) {
      throw std::out_of_range("BatchLoader: sample index outside the split");
    }
  }
  set_epoch(0);
}

void BatchLoader::set_epoch(uint64_t epoch) {
  order_ = indices_;
  if (options_.shuffle_seed) {
    Rng(*options_.shuffle_seed).split(epoch).shuffle(std::span<int64_t>(order_));
  }
}

int64_t BatchLoader::num_batches() const {
  const int64_t n = num_samples();
  const int64_t bs = options_.batch_size;
  return options_.drop_last ? n / bs : (n + bs - 1) / bs;
}

void BatchLoader::fill_batch(int64_t index, Batch& out) const {
  if (index < 0 || index >= num_batches()) {
    throw std::out_of_range("BatchLoader::fill_batch: batch index out of range");
  }
  const int64_t begin = index * options_.batch_size;
  const int64_t count = std::min(options_.batch_size, num_samples() - begin);
  shape_batch(out.x, count, sample_shape_);
  out.labels.resize(static_cast<size_t>(count));
  out.indices.resize(static_cast<size_t>(count));
  const uint8_t* images = split_->images.data();
  float* dst = out.x.data();
  for (int64_t i = 0; i < count; ++i) {
    const int64_t sample = order_[static_cast<size_t>(begin + i)];
    normalise(images + sample * sample_numel_, dst + i * sample_numel_, sample_numel_, scale_,
              offset_);
    out.labels[static_cast<size_t>(i)] = split_->labels[static_cast<size_t>(sample)];
    out.indices[static_cast<size_t>(i)] = sample;
  }
}

std::vector<int64_t> calibration_indices(const Split& split, int64_t size, uint64_t seed) {
  if (size <= 0 || size > split.count) {
    fail("calibration size {} must be between 1 and the split's {} samples", size, split.count);
  }
  // A partial Fisher-Yates shuffle: the first `size` slots end up a uniform sample.
  std::vector<int64_t> pool = all_indices(split.count);
  Rng rng(seed);
  for (int64_t i = 0; i < size; ++i) {
    const auto j = i + static_cast<int64_t>(rng.below(static_cast<uint64_t>(split.count - i)));
    std::swap(pool[static_cast<size_t>(i)], pool[static_cast<size_t>(j)]);
  }
  pool.resize(static_cast<size_t>(size));
  std::sort(pool.begin(), pool.end());
  return pool;
}

}  // namespace slim
