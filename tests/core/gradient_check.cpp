#include "tests/core/gradient_check.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace slim::testing {
namespace {

constexpr float kAbsTolerance = 1e-2f;
constexpr float kRelTolerance = 1e-2f;

double weighted_sum(const Tensor& y, const Tensor& r) {
  double total = 0.0;
  for (int64_t i = 0; i < y.numel(); ++i) total += static_cast<double>(y[i]) * r[i];
  return total;
}

// Checks every element, or `max_elements` of them chosen with a fixed seed (whole models
// have too many weights to perturb each one).
GradientCheckResult compare(const std::string& name, Tensor& target, const Tensor& analytic,
                            const std::function<double()>& loss, float step,
                            int64_t max_elements = -1) {
  GradientCheckResult result{name, 0.0f, -1.0f};
  std::vector<int64_t> indices(static_cast<size_t>(target.numel()));
  std::iota(indices.begin(), indices.end(), 0);
  if (max_elements >= 0 && target.numel() > max_elements) {
    Rng rng(static_cast<uint64_t>(target.numel()));
    rng.shuffle(std::span<int64_t>(indices));
    indices.resize(static_cast<size_t>(max_elements));
  }
  for (int64_t i : indices) {
    const float saved = target[i];
    target[i] = saved + step;
    const double plus = loss();
    target[i] = saved - step;
    const double minus = loss();
    target[i] = saved;
    const auto numeric = static_cast<float>((plus - minus) / (2.0 * step));
    const float diff = std::fabs(numeric - analytic[i]);
    result.max_abs_diff = std::max(result.max_abs_diff, diff);
    const float allowed = kAbsTolerance + kRelTolerance * std::fabs(numeric);
    result.max_allowed_excess = std::max(result.max_allowed_excess, diff - allowed);
  }
  return result;
}

}  // namespace

Tensor random_tensor(const Shape& shape, uint64_t seed) {
  Rng rng(seed);
  Tensor t(shape);
  for (float& v : t.values()) v = rng.normal();
  return t;
}

Tensor spread_tensor(const Shape& shape, uint64_t seed, float gap) {
  Tensor t(shape);
  std::vector<int64_t> order(static_cast<size_t>(t.numel()));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  rng.shuffle(std::span<int64_t>(order));
  const float offset = -gap * static_cast<float>(t.numel()) / 2.0f + gap / 2.0f;
  for (size_t i = 0; i < order.size(); ++i) {
    t[order[i]] = offset + gap * static_cast<float>(i);
  }
  return t;
}

std::vector<GradientCheckResult> check_layer_gradients(
    Layer& layer, std::vector<Tensor> inputs, const std::function<ForwardContext()>& make_context,
    float step) {
  std::vector<const Tensor*> args;
  for (const Tensor& t : inputs) args.push_back(&t);
  Tensor output;
  layer.forward(args, output, make_context());
  const Tensor upstream = random_tensor(output.shape(), 99);

  for (auto& [name, param] : layer.parameters()) param->grad = Tensor(param->value.shape());
  std::vector<Tensor> input_grads(inputs.size());
  std::vector<Tensor*> grad_ptrs;
  for (Tensor& g : input_grads) grad_ptrs.push_back(&g);
  layer.backward(upstream, grad_ptrs);

  auto loss = [&] {
    Tensor y;
    layer.forward(args, y, make_context());
    return weighted_sum(y, upstream);
  };
  std::vector<GradientCheckResult> results;
  for (size_t i = 0; i < inputs.size(); ++i) {
    results.push_back(compare("input" + std::to_string(i), inputs[i], input_grads[i], loss, step));
  }
  for (auto& [name, param] : layer.parameters()) {
    const Tensor analytic = param->grad;
    results.push_back(compare(name, param->value, analytic, loss, step));
  }
  return results;
}

std::vector<GradientCheckResult> check_model_gradients(Model& model, const Tensor& input, Mode mode,
                                                       float step) {
  const ForwardContext context{mode, nullptr};
  const Tensor output = model.forward(input, context);
  const Tensor upstream = random_tensor(output.shape(), 7);
  model.zero_grad();
  model.backward(upstream);
  auto loss = [&] { return weighted_sum(model.forward(input, context), upstream); };
  std::vector<GradientCheckResult> results;
  for (auto& [name, param] : model.parameters()) {
    const Tensor analytic = param->grad;
    results.push_back(compare(name, param->value, analytic, loss, step, 64));
  }
  return results;
}

}  // namespace slim::testing
