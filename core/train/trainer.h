// The training loop and evaluation.
//
// train() runs mini-batch SGD over the dataset's train split with the recipe's schedule.
// Everything random (shuffling, dropout) derives from recipe.seed, so the same seed and
// thread count give bit-identical weights. Methods customise it through TrainHooks: a
// replacement loss (distillation), work after each step (mask updates for gradual
// pruning) or before each epoch (freezing BatchNorm in QAT).
#pragma once

#include <functional>
#include <span>
#include <utility>

#include "core/model.h"
#include "core/train/recipe.h"
#include "datasets/batch_loader.h"
#include "datasets/dataset.h"

namespace slim {

struct EpochReport {
  int epoch = 0;  // 1-based
  int epochs = 0;
  double train_loss = 0.0;
  double train_accuracy = 0.0;
  double test_accuracy = -1.0;  // < 0 when not evaluated
  double train_seconds = 0.0;   // forward + backward + update only
  double images_per_second = 0.0;
  float lr = 0.0f;
};

struct BatchProgress {
  int epoch = 0;
  int epochs = 0;
  int64_t batch = 0;  // 1-based within the epoch
  int64_t batches = 0;
  double running_loss = 0.0;
  double running_accuracy = 0.0;
  double images_per_second = 0.0;
};

struct TrainHooks {
  // Returns the batch loss and writes dL/d(logits); default: cross-entropy on labels.
  std::function<float(const Tensor& logits, const Batch& batch, Tensor& grad_logits)> loss;
  // Gradients to add at intermediate nodes in backward (Model::backward's pairs), asked
  // for right after `loss` on the same batch: feature distillation's hint loss.
  std::function<std::span<const std::pair<int, const Tensor*>>()> extra_output_grads;
  std::function<void(int epoch)> before_epoch;  // 0-based
  std::function<void(int64_t global_step)> after_step;
  std::function<void(const BatchProgress&)> on_batch;
  std::function<void(const EpochReport&)> on_epoch;
  bool evaluate_each_epoch = true;
};

struct EvalResult {
  double accuracy = 0.0;
  double loss = 0.0;
  int64_t count = 0;
};

std::vector<EpochReport> train(Model& model, const Dataset& dataset, const Recipe& recipe,
                               const TrainHooks& hooks = {});

EvalResult evaluate(Model& model, const Dataset& dataset, const Split& split,
                    int64_t batch_size = 500);

// Stream ids for Rng::split, so each random consumer has its own reproducible stream.
enum RngStream : uint64_t { kInitStream = 1, kShuffleStream = 2, kDropoutStream = 3 };

}  // namespace slim
