#include "core/quant/quantized_weight.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/quant/packed_codes.h"

namespace slim {
namespace {

// An unsigned b-bit grid is stored shifted down by 2^(b-1), so it fits int8.
int32_t storage_shift(const QuantRange& range) {
  return range.is_signed ? 0 : -(1 << (range.bits - 1));
}

}  // namespace

std::string_view granularity_name(Granularity granularity) {
  switch (granularity) {
    case Granularity::kPerTensor:
      return "per_tensor";
    case Granularity::kPerChannel:
      return "per_channel";
    case Granularity::kPerGroup:
      return "per_group";
  }
  return "?";
}

QuantizedWeight::QuantizedWeight(QuantRange range, Granularity granularity, int64_t rows,
                                 int64_t cols, int64_t group_size, std::vector<int8_t> codes,
                                 std::vector<float> scales, std::vector<int32_t> zero_points)
    : range_(range),
      granularity_(granularity),
      rows_(rows),
      cols_(cols),
      group_size_(group_size),
      codes_(std::move(codes)),
      scales_(std::move(scales)),
      zero_points_(std::move(zero_points)) {
  if (range_.bits < 2 || range_.bits > 8) {
    throw std::invalid_argument(fmt::format("QuantizedWeight: {} bits (need 2..8)", range_.bits));
  }
  if (rows_ <= 0 || cols_ <= 0 || group_size_ <= 0 ||
      (granularity_ != Granularity::kPerGroup && group_size_ != cols_)) {
    throw std::invalid_argument("QuantizedWeight: bad rows/cols/group_size");
  }
  const auto expected_params = static_cast<size_t>(rows_ * groups_per_row());
  if (codes_.size() != static_cast<size_t>(rows_ * cols_) || scales_.size() != expected_params ||
      zero_points_.size() != expected_params) {
    throw std::invalid_argument("QuantizedWeight: codes/scales/zero_points sizes disagree");
  }
  const auto [lowest, highest] = std::minmax_element(codes_.begin(), codes_.end());
  if (*lowest < qmin() || *highest > qmax()) {
    throw std::invalid_argument(
        fmt::format("QuantizedWeight: code outside [{}, {}]", qmin(), qmax()));
  }
}

int32_t QuantizedWeight::qmin() const {
  return range_.qmin() + storage_shift(range_);
}

int32_t QuantizedWeight::qmax() const {
  return range_.qmax() + storage_shift(range_);
}

bool QuantizedWeight::symmetric() const {
  return std::all_of(zero_points_.begin(), zero_points_.end(), [](int32_t z) { return z == 0; });
}

std::vector<float> QuantizedWeight::dequantize() const {
  std::vector<float> values(codes_.size());
  for (int64_t row = 0; row < rows_; ++row) {
    for (int64_t col = 0; col < cols_; ++col) {
      const int64_t group = col / group_size_;
      const int64_t i = row * cols_ + col;
      values[i] = static_cast<float>(codes_[i] - zero_point(row, group)) * scale(row, group);
    }
  }
  return values;
}

int64_t QuantizedWeight::distinct_scale_count() const {
  switch (granularity_) {
    case Granularity::kPerTensor:
      return 1;
    case Granularity::kPerChannel:
      return rows_;
    case Granularity::kPerGroup:
      return rows_ * groups_per_row();
  }
  return rows_ * groups_per_row();
}

int64_t QuantizedWeight::metadata_bytes() const {
  const int64_t scale_bytes = distinct_scale_count() * static_cast<int64_t>(sizeof(float));
  // Zero points fit in the code width; a byte each is a simple, slightly generous count.
  const int64_t zero_point_bytes = symmetric() ? 0 : distinct_scale_count();
  return scale_bytes + zero_point_bytes;
}

int64_t QuantizedWeight::stored_bytes() const {
  return packed_size_bytes(rows_ * cols_, range_.bits) + metadata_bytes();
}

nlohmann::json QuantizedWeight::describe() const {
  return {{"format", fmt::format("int{}-{}", range_.bits, symmetric() ? "symmetric" : "affine")},
          {"granularity", granularity_name(granularity_)},
          {"group_size", group_size_},
          {"scales", distinct_scale_count()},
          {"bytes", stored_bytes()}};
}

void require_zero_where_pruned(const QuantizedWeight& weight, const Tensor& mask) {
  if (mask.numel() != weight.rows() * weight.cols()) {
    throw std::invalid_argument(fmt::format("quantized weight: a mask of {} for [{}, {}] codes",
                                            mask.numel(), weight.rows(), weight.cols()));
  }
  const auto keep = mask.values();
  for (int64_t row = 0; row < weight.rows(); ++row) {
    for (int64_t col = 0; col < weight.cols(); ++col) {
      const int64_t i = row * weight.cols() + col;
      if (keep[static_cast<size_t>(i)] != 0.0f) continue;
      const int32_t zero = weight.zero_point(row, col / weight.group_size());
      if (weight.codes()[static_cast<size_t>(i)] != zero) {
        throw std::invalid_argument(fmt::format(
            "quantized weight: pruned element ({}, {}) has code {}, not its zero point {}", row,
            col, weight.codes()[static_cast<size_t>(i)], zero));
      }
    }
  }
}

}  // namespace slim
