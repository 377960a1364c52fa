#include "kernels/int8/quantized_gemm.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace slim {

bool QuantizedGemm::can_fuse_groups(const QuantizedWeight& weight, const GemmS8Kernel& gemm) {
  return gemm.multiply_grouped_requantize != nullptr && weight.groups_per_row() > 1 &&
         weight.group_size() % 4 == 0 && weight.symmetric();
}

QuantizedGemm::QuantizedGemm(const QuantizedWeight& weight, const GemmS8Kernel& gemm,
                             bool fuse_groups)
    : gemm_(&gemm), out_channels_(weight.rows()), depth_(weight.cols()) {
  if (depth_ > kMaxQuantizedDepth) {
    throw std::invalid_argument(
        fmt::format("int8 GEMM: {} inputs per output exceed the int32 accumulator's limit of {}",
                    depth_, kMaxQuantizedDepth));
  }
  if (fuse_groups && !can_fuse_groups(weight, gemm)) {
    throw std::logic_error(
        fmt::format("int8 GEMM: '{}' cannot fuse these weights' groups", gemm.name));
  }
  for (int64_t g = 0; g < weight.groups_per_row(); ++g) {
    blocks_.push_back(make_block(weight, g, /*pack=*/!fuse_groups));
  }
  if (fuse_groups) fused_weights_ = pack_weights(weight, depth_, weight.codes().data());
}

// A 4-bit grid ([-8, 7] after the unsigned shift) keeps its weights as nibbles when the
// variant can unpack them in registers: half the bytes of int8 to stream per product.
PackedS8Weights QuantizedGemm::pack_weights(const QuantizedWeight& weight, int64_t length,
                                            const int8_t* columns) const {
  const bool nibbles = gemm_->pack_int4 != nullptr && weight.qmin() >= -8 && weight.qmax() <= 7;
  return nibbles ? gemm_->pack_int4(weight.rows(), length, columns)
                 : gemm_->pack(weight.rows(), length, columns);
}

QuantizedGemm::GroupBlock QuantizedGemm::make_block(const QuantizedWeight& weight, int64_t group,
                                                    bool pack) const {
  GroupBlock block;
  block.first_column = group * weight.group_size();
  block.length = std::min(weight.group_size(), weight.cols() - block.first_column);
  const int8_t* codes = weight.codes().data();
  std::vector<int8_t> columns;  // [O, L_g]
  for (int64_t o = 0; o < weight.rows(); ++o) {
    const int8_t* first = codes + o * weight.cols() + block.first_column;
    columns.insert(columns.end(), first, first + block.length);
    int32_t sum = 0;
    for (int64_t k = 0; k < block.length; ++k) sum += first[k];
    block.sums.push_back(sum);
    block.weight_zero_points.push_back(weight.zero_point(o, group));
    block.any_weight_zero_point |= weight.zero_point(o, group) != 0;
  }
  if (pack) block.weights = pack_weights(weight, block.length, columns.data());
  return block;
}

void QuantizedGemm::accumulate(const int8_t* rows, int64_t row_count, int32_t input_zero_point) {
  if (fused_weights_) {
    throw std::logic_error("int8 GEMM: weights packed for the fused per-group product");
  }
  row_count_ = row_count;
  accumulators_.resize(static_cast<size_t>(groups() * group_stride()));
  row_sums_.resize(static_cast<size_t>(row_count));
  for (size_t g = 0; g < blocks_.size(); ++g) {
    const GroupBlock& block = blocks_[g];
    const int8_t* a = group_rows(rows, block);
    int32_t* acc = accumulators_.data() + static_cast<int64_t>(g) * group_stride();
    gemm_->multiply(row_count, a, block.weights, acc);
    expand_zero_points(block, input_zero_point, a, acc);
  }
}

bool QuantizedGemm::symmetric_weights() const {
  return std::none_of(blocks_.begin(), blocks_.end(),
                      [](const GroupBlock& block) { return block.any_weight_zero_point; });
}

std::vector<int32_t> QuantizedGemm::weight_sums_by_group() const {
  std::vector<int32_t> sums;
  for (const GroupBlock& block : blocks_)
    sums.insert(sums.end(), block.sums.begin(), block.sums.end());
  return sums;
}

std::optional<RowRequantization> QuantizedGemm::folded_requantization(
    const RowRequantization& r, int32_t input_zero_point) const {
  if (blocks_.size() != 1 || blocks_[0].any_weight_zero_point) return std::nullopt;
  if (r.channels() != out_channels_) {
    throw std::logic_error("int8 GEMM: output constants do not match the weights");
  }
  RowRequantization folded = r;
  for (int64_t o = 0; o < out_channels_; ++o) {
    folded.biases[static_cast<size_t>(o)] -=
        int64_t{input_zero_point} * blocks_[0].sums[static_cast<size_t>(o)];
  }
  return folded;
}

void QuantizedGemm::multiply_requantize(const int8_t* rows, int64_t row_count,
                                        const RowRequantization& folded, int8_t* out) const {
  gemm_->multiply_requantize(row_count, rows, blocks_[0].weights, folded, out);
}

void QuantizedGemm::multiply_grouped_requantize(const int8_t* rows, int64_t row_count,
                                                const GroupedColumnRequantization& stage,
                                                int8_t* out) const {
  if (!fused_weights_) throw std::logic_error("int8 GEMM: weights packed per group");
  gemm_->multiply_grouped_requantize(row_count, rows, *fused_weights_, stage, out);
}

// With one group the rows are already dense [R, K]; otherwise the group's columns are
// gathered into a dense [R, L_g] copy.
const int8_t* QuantizedGemm::group_rows(const int8_t* rows, const GroupBlock& block) {
  if (blocks_.size() == 1) return rows;
  packed_rows_.resize(static_cast<size_t>(row_count_ * block.length));
  for (int64_t r = 0; r < row_count_; ++r) {
    const int8_t* first = rows + r * depth_ + block.first_column;
    std::copy(first, first + block.length, packed_rows_.data() + r * block.length);
  }
  return packed_rows_.data();
}

void QuantizedGemm::sum_rows(const int8_t* rows, int64_t length) {
  for (int64_t r = 0; r < row_count_; ++r) {
    const int8_t* row = rows + r * length;
    int32_t sum = 0;
    for (int64_t k = 0; k < length; ++k) sum += row[k];
    row_sums_[static_cast<size_t>(r)] = sum;
  }
}

// acc = raw - Z_w * sum q_x - Z_x * sum q_w + L * Z_x * Z_w, in wrapping 32-bit
// arithmetic: the result fits int32 (K <= 2^15), so the wrapped sum of the terms equals it
// even where one term alone would not fit. Symmetric weights (every Z_w = 0) skip the
// activation sums, and a zero Z_x as well leaves nothing to add.
void QuantizedGemm::expand_zero_points(const GroupBlock& block, int32_t input_zero_point,
                                       const int8_t* rows, int32_t* acc) {
  const bool weight_zero_points = block.any_weight_zero_point;
  if (!weight_zero_points && input_zero_point == 0) return;
  if (weight_zero_points) sum_rows(rows, block.length);
  weight_terms_.resize(static_cast<size_t>(out_channels_));
  const int64_t z_x = input_zero_point;
  for (int64_t o = 0; o < out_channels_; ++o) {
    const int64_t z_w = block.weight_zero_points[static_cast<size_t>(o)];
    weight_terms_[static_cast<size_t>(o)] =
        static_cast<uint32_t>(z_x * (block.length * z_w - block.sums[static_cast<size_t>(o)]));
  }
  const uint32_t* terms = weight_terms_.data();
  for (int64_t r = 0; r < row_count_; ++r) {
    auto* row = reinterpret_cast<uint32_t*>(acc + r * out_channels_);
    if (weight_zero_points) {
      const auto row_sum = static_cast<uint32_t>(row_sums_[static_cast<size_t>(r)]);
      const auto* z_w = reinterpret_cast<const uint32_t*>(block.weight_zero_points.data());
      for (int64_t o = 0; o < out_channels_; ++o) row[o] += terms[o] - z_w[o] * row_sum;
    } else {
      for (int64_t o = 0; o < out_channels_; ++o) row[o] += terms[o];
    }
  }
}

}  // namespace slim
