#include "core/tensor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace slim {

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw std::logic_error("negative tensor dimension");
    n *= d;
  }
  return n;
}

std::string shape_to_string(const Shape& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

Tensor::Tensor(Shape shape, float fill)
    : shape_(std::move(shape)), data_(static_cast<size_t>(shape_numel(shape_)), fill) {}

Tensor::Tensor(Shape shape, std::span<const float> values) : shape_(std::move(shape)) {
  if (shape_numel(shape_) != static_cast<int64_t>(values.size())) {
    throw std::logic_error(fmt::format("Tensor: shape {} does not hold {} values",
                                       shape_to_string(shape_), values.size()));
  }
  data_.assign(values.begin(), values.end());
}

int64_t Tensor::dim(int axis) const {
  const int r = rank();
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) throw std::logic_error("Tensor::dim: axis out of range");
  return shape_[static_cast<size_t>(axis)];
}

void Tensor::reshape(Shape shape) {
  if (shape_numel(shape) != numel()) {
    throw std::logic_error(fmt::format("Tensor::reshape: {} -> {} changes the element count",
                                       shape_to_string(shape_), shape_to_string(shape)));
  }
  shape_ = std::move(shape);
}

void Tensor::resize(Shape shape) {
  data_.resize(static_cast<size_t>(shape_numel(shape)));
  shape_ = std::move(shape);
}

void Tensor::fill(float value) {
  std::fill(data_.begin(), data_.end(), value);
}

MatrixMap Tensor::matrix(int64_t rows, int64_t cols) {
  if (rows * cols != numel()) throw std::logic_error("Tensor::matrix: size mismatch");
  return {data_.data(), rows, cols};
}

ConstMatrixMap Tensor::matrix(int64_t rows, int64_t cols) const {
  if (rows * cols != numel()) throw std::logic_error("Tensor::matrix: size mismatch");
  return {data_.data(), rows, cols};
}

MatrixMap Tensor::as_matrix() {
  const int64_t rows = rank() == 0 ? 1 : shape_[0];
  return matrix(rows, rows == 0 ? 0 : numel() / rows);
}

ConstMatrixMap Tensor::as_matrix() const {
  const int64_t rows = rank() == 0 ? 1 : shape_[0];
  return matrix(rows, rows == 0 ? 0 : numel() / rows);
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  if (!a.same_shape(b)) {
    throw std::logic_error(fmt::format("max_abs_diff: shapes {} and {} differ",
                                       shape_to_string(a.shape()), shape_to_string(b.shape())));
  }
  float worst = 0.0f;
  for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

}  // namespace slim
