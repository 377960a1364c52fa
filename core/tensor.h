// Tensor: a shape plus contiguous, 64-byte aligned float storage (row-major).
//
// Deliberately small: no strides, no views, no dtype. Layers do their math through
// the Eigen maps below, and anything quantized or sparse lives in its own layer type
// with its own storage, so this type never needs to grow a dtype.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "core/aligned_allocator.h"

namespace slim {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& shape);
std::string shape_to_string(const Shape& shape);

using MatrixRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<MatrixRM, Eigen::Aligned64>;
using ConstMatrixMap = Eigen::Map<const MatrixRM, Eigen::Aligned64>;
using VectorMap = Eigen::Map<Eigen::VectorXf>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape, float fill = 0.0f);
  Tensor(Shape shape, std::span<const float> values);

  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int axis) const;  // negative axes count from the end
  int64_t numel() const { return static_cast<int64_t>(data_.size()); }
  bool empty() const { return data_.empty(); }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  std::span<float> values() { return {data_.data(), data_.size()}; }
  std::span<const float> values() const { return {data_.data(), data_.size()}; }
  float& operator[](int64_t i) { return data_[static_cast<size_t>(i)]; }
  float operator[](int64_t i) const { return data_[static_cast<size_t>(i)]; }

  // Changes the shape without touching data; the element count must not change.
  void reshape(Shape shape);
  // Resizes to `shape`; contents are unspecified unless the size did not change.
  void resize(Shape shape);
  void fill(float value);
  void zero() { fill(0.0f); }

  // The tensor as a rows x cols row-major matrix (rows * cols == numel()).
  MatrixMap matrix(int64_t rows, int64_t cols);
  ConstMatrixMap matrix(int64_t rows, int64_t cols) const;
  // Dimension 0 as rows, everything else flattened into columns.
  MatrixMap as_matrix();
  ConstMatrixMap as_matrix() const;
  VectorMap vector() { return {data_.data(), numel()}; }
  ConstVectorMap vector() const { return {data_.data(), numel()}; }

  bool same_shape(const Tensor& other) const { return shape_ == other.shape_; }

 private:
  Shape shape_;
  std::vector<float, AlignedAllocator<float, 64>> data_;
};

// Largest absolute elementwise difference; shapes must match.
float max_abs_diff(const Tensor& a, const Tensor& b);

}  // namespace slim
