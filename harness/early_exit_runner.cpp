#include "harness/early_exit_runner.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/error.h"
#include "methods/pruning/early_exit_graph.h"

namespace slim {

double max_softmax(std::span<const float> logits) {
  const float top = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (float z : logits) sum += std::exp(static_cast<double>(z - top));
  return 1.0 / sum;
}

EarlyExitRunner::EarlyExitRunner(const Model& model, const Backend& backend)
    : sample_shape_(model.sample_shape()) {
  const std::optional<EarlyExitGraph> exit = find_early_exit(model);
  if (!exit) {
    fail("model {} has no early exit; add one with the early_exit method", model.architecture());
  }
  const EarlyExitParts parts = split_early_exit(model, *exit);
  stem_ = backend.lower(parts.stem);
  head_ = backend.lower(parts.head);
  rest_ = backend.lower(parts.rest);
}

ExitOutcome EarlyExitRunner::run_one(const Tensor& sample, double threshold) {
  check_batch_shape(sample_shape_, sample);
  if (sample.dim(0) != 1) fail("early exit runs one sample at a time, not {}", sample.dim(0));
  const Tensor& features = stem_->run(sample);
  const Tensor& exit_logits = head_->run(features);
  if (max_softmax(exit_logits.values()) >= threshold) return {exit_logits, true};
  return {rest_->run(features), false};
}

}  // namespace slim
