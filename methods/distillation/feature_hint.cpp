#include "methods/distillation/feature_hint.h"

#include <fmt/format.h>

#include <memory>

#include "core/error.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"
#include "core/train/init.h"

namespace slim {
namespace {

constexpr std::string_view kRegressorNode = "regressor";

std::unique_ptr<Layer> regressor_for(const Shape& student, const Shape& teacher,
                                     const std::string& student_node,
                                     const std::string& teacher_node) {
  if (student.size() == 2 && teacher.size() == 2) {
    return std::make_unique<Linear>(student[1], teacher[1]);
  }
  if (student.size() == 4 && teacher.size() == 4 && student[2] == teacher[2] &&
      student[3] == teacher[3]) {
    return std::make_unique<Conv2d>(
        Conv2dOptions{.in_channels = student[1], .out_channels = teacher[1], .kernel_size = 1});
  }
  fail(
      "hint: student node '{}' gives {} and teacher node '{}' gives {}; a regressor needs two "
      "[batch, features] outputs or two [batch, channels, H, W] outputs of the same H x W",
      student_node, shape_to_string(student), teacher_node, shape_to_string(teacher));
}

Shape without_batch(const Shape& shape) {
  return Shape(shape.begin() + 1, shape.end());
}

}  // namespace

HintRegressor::HintRegressor(const Shape& student_shape, const Shape& teacher_shape,
                             const std::string& student_node, const std::string& teacher_node,
                             const SgdOptions& sgd, Rng& init_rng)
    : model_("hint-regressor", without_batch(student_shape), static_cast<int>(teacher_shape.at(1))),
      sgd_(sgd) {
  model_.add(std::string(kRegressorNode),
             regressor_for(student_shape, teacher_shape, student_node, teacher_node));
  init_parameters(model_, init_rng);
}

float HintRegressor::loss(const Tensor& student_feature, const Tensor& teacher_feature,
                          float weight, Tensor& grad_student) {
  // The layer is driven directly: Model::backward does not return the gradient of the
  // model input, which here is the student's feature.
  Layer& layer = model_.layer(kRegressorNode);
  const Tensor* input = &student_feature;
  layer.forward(std::span<const Tensor* const>(&input, 1), output_, ForwardContext{});
  if (!output_.same_shape(teacher_feature)) {
    throw std::logic_error("HintRegressor: regressor output and teacher feature differ in shape");
  }
  const auto n = static_cast<double>(teacher_feature.numel());
  grad_output_.resize(output_.shape());
  double sum_sq = 0.0;
  for (int64_t i = 0; i < output_.numel(); ++i) {
    const double diff = static_cast<double>(output_[i]) - teacher_feature[i];
    sum_sq += diff * diff;
    grad_output_[i] = static_cast<float>(weight * diff / n);
  }
  model_.zero_grad();
  grad_student.resize(student_feature.shape());
  Tensor* grad_input = &grad_student;
  layer.backward(grad_output_, std::span<Tensor* const>(&grad_input, 1));
  return static_cast<float>(weight * sum_sq / (2.0 * n));
}

void HintRegressor::step(float learning_rate) {
  sgd_.step(model_, learning_rate);
}

std::string HintRegressor::describe() const {
  const Layer& layer = model_.layer(kRegressorNode);
  if (const auto* linear = dynamic_cast<const Linear*>(&layer)) {
    return fmt::format("linear {}->{}", linear->in_features(), linear->out_features());
  }
  const auto& conv = dynamic_cast<const Conv2d&>(layer).options();
  return fmt::format("conv1x1 {}->{}", conv.in_channels, conv.out_channels);
}

}  // namespace slim
