// BatchLoader: turns a split's uint8 images into normalised float batches.
//
// It is the training hot path, so a batch is written into the caller's Batch, whose
// storage is reused from call to call, and the conversion is one fused multiply-add per
// pixel that the compiler vectorises.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/tensor.h"
#include "datasets/dataset.h"

namespace slim {

struct Batch {
  Tensor x;                     // {B, C, H, W}: (pixel/255 - mean) / stddev
  std::vector<int32_t> labels;  // B class indices
  // The samples' indices in their split: per-sample data computed once (a frozen
  // teacher's logits for distillation) is looked up by them.
  std::vector<int64_t> indices;

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
};

struct BatchOptions {
  int64_t batch_size = 128;
  // nullopt keeps the split's order. With a seed, epoch e is shuffled by
  // Rng(seed).split(e): reproducible, and each epoch independent of how many ran before.
  std::optional<uint64_t> shuffle_seed = std::nullopt;
  bool drop_last = false;  // skip a final batch smaller than batch_size
};

class BatchLoader {
 public:
  // Over the whole split. The loader keeps pointers: `dataset` and `split` must outlive it.
  BatchLoader(const Dataset& dataset, const Split& split, BatchOptions options);
  // Over `indices` of the split only (e.g. a calibration subset), in that order unless
  // shuffled. Indices must lie in [0, split.count).
  BatchLoader(const Dataset& dataset, const Split& split, std::vector<int64_t> indices,
              BatchOptions options);
  // A temporary dataset would leave the loader dangling.
  BatchLoader(const Dataset&& dataset, const Split& split, BatchOptions options) = delete;
  BatchLoader(const Dataset&& dataset, const Split& split, std::vector<int64_t> indices,
              BatchOptions options) = delete;

  // Sets the sample order for `epoch` (the constructor starts at epoch 0).
  void set_epoch(uint64_t epoch);
  int64_t num_batches() const;
  int64_t num_samples() const { return static_cast<int64_t>(order_.size()); }
  int64_t batch_size() const { return options_.batch_size; }
  // Split indices in this epoch's order.
  std::span<const int64_t> epoch_order() const { return order_; }

  // Writes batch `index` (in [0, num_batches())) of the current epoch into `out`,
  // reusing its storage; only a size change (e.g. the last, short batch) reallocates.
  void fill_batch(int64_t index, Batch& out) const;

 private:
  const Split* split_;
  Shape sample_shape_;
  int64_t sample_numel_;
  float scale_;   // 1 / (255 * stddev)
  float offset_;  // -mean / stddev
  BatchOptions options_;
  std::vector<int64_t> indices_;  // the samples this loader covers, unshuffled
  std::vector<int64_t> order_;    // indices_ in the current epoch's order
};

// `size` distinct indices of `split`, chosen by `seed` alone (not by batch size or
// anything else), returned in ascending order. Throws a UserError when size is not in
// [1, split.count].
std::vector<int64_t> calibration_indices(const Split& split, int64_t size, uint64_t seed);

}  // namespace slim
