#include "methods/pruning/importance.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "core/train/loss.h"
#include "datasets/batch_loader.h"

namespace slim {

const std::vector<std::string>& criterion_names() {
  static const std::vector<std::string> names = {"magnitude", "gradient", "random"};
  return names;
}

Criterion parse_criterion(std::string_view name) {
  if (name == "magnitude") return Criterion::kMagnitude;
  if (name == "gradient") return Criterion::kGradient;
  if (name == "random") return Criterion::kRandom;
  fail("unknown pruning criterion '{}'; valid choices: {}", name,
       fmt::join(criterion_names(), ", "));
}

Scores magnitude_scores(std::span<const PrunableWeight> weights) {
  Scores scores;
  scores.reserve(weights.size());
  for (const PrunableWeight& weight : weights) {
    std::span<const float> values = std::as_const(weight.parameter->value).values();
    std::vector<float>& out = scores.emplace_back(values.size());
    for (size_t i = 0; i < values.size(); ++i) out[i] = std::abs(values[i]);
  }
  return scores;
}

Scores random_scores(std::span<const PrunableWeight> weights, Rng& rng) {
  Scores scores;
  scores.reserve(weights.size());
  for (const PrunableWeight& weight : weights) {
    std::vector<float>& out = scores.emplace_back(static_cast<size_t>(weight.numel()));
    for (float& score : out) score = rng.uniform();
  }
  return scores;
}

Scores taylor_scores(Model& model, std::span<const PrunableWeight> weights, const Dataset& dataset,
                     std::span<const int64_t> indices, const TaylorOptions& options) {
  if (indices.empty()) fail("gradient importance needs calibration samples; the set is empty");
  BatchLoader loader(dataset, dataset.train, std::vector<int64_t>(indices.begin(), indices.end()),
                     BatchOptions{options.batch_size});
  const int64_t batches = std::min(options.max_batches, loader.num_batches());
  Rng dropout_rng(options.seed);
  const ForwardContext context{options.mode, &dropout_rng};
  Scores scores;
  for (const PrunableWeight& weight : weights) scores.emplace_back(weight.numel(), 0.0f);
  Batch batch;
  Tensor grad_logits;
  for (int64_t b = 0; b < batches; ++b) {
    loader.fill_batch(b, batch);
    const Tensor& logits = model.forward(batch.x, context);
    cross_entropy(logits, batch.labels, &grad_logits);
    model.zero_grad();
    model.backward(grad_logits);
    for (size_t w = 0; w < weights.size(); ++w) {
      std::span<const float> value = std::as_const(weights[w].parameter->value).values();
      std::span<const float> grad = std::as_const(weights[w].parameter->grad).values();
      std::vector<float>& out = scores[w];
      for (size_t i = 0; i < out.size(); ++i) out[i] += std::abs(value[i] * grad[i]);
    }
  }
  model.zero_grad();
  const float inverse = 1.0f / static_cast<float>(batches);
  for (std::vector<float>& out : scores) {
    for (float& score : out) score *= inverse;
  }
  return scores;
}

Scores importance_scores(Model& model, std::span<const PrunableWeight> weights,
                         const ScoreRequest& request) {
  switch (request.criterion) {
    case Criterion::kMagnitude:
      return magnitude_scores(weights);
    case Criterion::kRandom: {
      Rng rng(request.seed);
      return random_scores(weights, rng);
    }
    case Criterion::kGradient:
      if (request.dataset == nullptr) fail("gradient importance needs a dataset");
      return taylor_scores(model, weights, *request.dataset, request.indices, request.taylor);
  }
  return {};
}

}  // namespace slim
