// EarlyExitRunner: input-dependent execution of a model with an early exit
// (methods/pruning/early_exit_graph.h), one sample at a time.
//
// It lowers three sub-models with one backend: the stem (input -> cut), the head (cut ->
// exit logits) and the rest (cut -> final logits). run_one() runs the stem and the head,
// and returns the head's logits when their softmax maximum reaches the threshold; only
// otherwise does it run the rest. The decision is per sample, so a batch of N would need
// N branches: the runner takes batch 1 only, which is also where early exit pays off
// (a batch waits for its slowest sample).
//
// It lives in harness/ because it composes backend Executables (kernels/backend.h) around
// a control decision, which is measurement plumbing rather than a kernel.
#pragma once

#include <memory>
#include <span>

#include "core/model.h"
#include "core/tensor.h"
#include "kernels/backend.h"

namespace slim {

struct ExitOutcome {
  const Tensor& logits;  // [1, num_classes], valid until the next run_one()
  bool exited;           // true when the head's answer was taken
};

// max_k softmax(logits)_k, computed stably as 1 / sum_k exp(z_k - max z).
double max_softmax(std::span<const float> logits);

class EarlyExitRunner {
 public:
  // Throws UserError when `model` has no early exit.
  EarlyExitRunner(const Model& model, const Backend& backend);

  // `sample` is [1, sample_shape...]. A threshold above 1 never exits; 0 always does.
  ExitOutcome run_one(const Tensor& sample, double threshold);

 private:
  Shape sample_shape_;
  std::unique_ptr<Executable> stem_;
  std::unique_ptr<Executable> head_;
  std::unique_ptr<Executable> rest_;
};

}  // namespace slim
