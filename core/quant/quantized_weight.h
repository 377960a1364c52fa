// QuantizedWeight: the integer codes of one weight tensor with their scales and zero
// points, at 2..8 bits and one of three granularities (REFERENCE.md, "Granularity").
//
// The weight is viewed as a [rows, cols] row-major matrix: rows are output channels
// (axis 0), cols the inputs of one output (in_features, or in_channels*k*k in PyTorch's
// order). Per-group quantization splits each row into groups of `group_size`
// consecutive columns (the last group may be shorter).
//
// Codes are kept unpacked as int8 for the kernels; stored_bytes() counts what a
// deployment would store: codes packed at `range.bits` (core/quant/packed_codes.h), one
// FP32 scale per distinct scale, and one byte per zero point when any is non-zero.
// Unsigned grids are stored shifted into int8, as for activations (activation_quant.h).
//
// A pruned weight's mask lives on the Parameter that holds this storage: a pruned weight
// is 0.0, so its code is exactly its zero point (require_zero_where_pruned checks it).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/layer.h"
#include "core/quant/affine.h"

namespace slim {

enum class Granularity { kPerTensor, kPerChannel, kPerGroup };

std::string_view granularity_name(Granularity granularity);

class QuantizedWeight final : public ParameterStorage {
 public:
  // `scales` and `zero_points` have rows * groups_per_row() entries, row-major
  // [row][group], even for per-tensor (all entries equal) and per-channel (one group),
  // so kernels index every granularity the same way. Throws std::invalid_argument when
  // sizes disagree or a code lies outside `range` (after the unsigned shift).
  QuantizedWeight(QuantRange range, Granularity granularity, int64_t rows, int64_t cols,
                  int64_t group_size, std::vector<int8_t> codes, std::vector<float> scales,
                  std::vector<int32_t> zero_points);

  const QuantRange& range() const { return range_; }
  Granularity granularity() const { return granularity_; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  int64_t group_size() const { return group_size_; }  // == cols unless per-group
  int64_t groups_per_row() const { return (cols_ + group_size_ - 1) / group_size_; }
  // The int8 storage grid of the codes (the range, shifted when unsigned).
  int32_t qmin() const;
  int32_t qmax() const;

  std::span<const int8_t> codes() const { return codes_; }
  std::span<const float> scales() const { return scales_; }
  std::span<const int32_t> zero_points() const { return zero_points_; }
  float scale(int64_t row, int64_t group) const { return scales_[row * groups_per_row() + group]; }
  int32_t zero_point(int64_t row, int64_t group) const {
    return zero_points_[row * groups_per_row() + group];
  }
  bool symmetric() const;  // every zero point is 0

  // (q - Z) * S for every element, row-major [rows, cols].
  std::vector<float> dequantize() const;

  int64_t stored_bytes() const override;
  nlohmann::json describe() const override;
  int value_bits() const override { return range_.bits; }
  int64_t metadata_bytes() const override;  // scales and zero points

 private:
  int64_t distinct_scale_count() const;

  QuantRange range_;
  Granularity granularity_;
  int64_t rows_;
  int64_t cols_;
  int64_t group_size_;
  std::vector<int8_t> codes_;
  std::vector<float> scales_;
  std::vector<int32_t> zero_points_;
};

// Throws std::invalid_argument unless `mask` has rows * cols entries and every pruned
// element (mask 0) holds its zero point, i.e. decodes to exactly 0.
void require_zero_where_pruned(const QuantizedWeight& weight, const Tensor& mask);

}  // namespace slim
