#include "core/train/trainer.h"

#include <chrono>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/train/loss.h"
#include "core/train/optimizer.h"

namespace slim {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int64_t count_correct(const Tensor& logits, std::span<const int32_t> labels,
                      std::vector<int32_t>& scratch) {
  scratch.resize(labels.size());
  argmax_rows(logits, scratch);
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += scratch[i] == labels[i];
  return correct;
}

// An SGD step would move a weight off its deployed encoding (e.g. off the int8 grid)
// while size accounting still reported the encoded bytes: refuse instead of lying.
void refuse_encoded_parameters(Model& model) {
  for (const auto& [name, parameter] : model.parameters()) {
    if (parameter->storage) {
      fail(
          "cannot train '{}': parameter '{}' is stored as {}; train before this step, or use "
          "quantization-aware training",
          model.architecture(), name, parameter->storage->describe().dump());
    }
  }
}

// A NaN or infinite loss never recovers: every later step trains on NaN weights and the
// run would end at chance accuracy, recorded as if it were a result. Stop and say why.
void stop_if_diverged(float loss, int epoch, int64_t batch, float lr) {
  if (!std::isfinite(loss)) {
    fail(
        "training diverged: the loss is {} at epoch {}, batch {} (learning rate {:g}); lower the "
        "learning rate (a method's lr_scale, or the recipe's lr)",
        loss, epoch + 1, batch + 1, lr);
  }
}

}  // namespace

std::vector<EpochReport> train(Model& model, const Dataset& dataset, const Recipe& recipe,
                               const TrainHooks& hooks) {
  refuse_encoded_parameters(model);
  Rng root(recipe.seed);
  BatchLoader loader(dataset, dataset.train,
                     BatchOptions{recipe.batch_size, root.split(kShuffleStream).next_u64(), false});
  Rng dropout_rng = root.split(kDropoutStream);
  Sgd optimizer(SgdOptions{recipe.momentum, recipe.weight_decay, recipe.nesterov});
  const LrSchedule schedule = recipe.lr_schedule();
  const int64_t steps_per_epoch = loader.num_batches();
  const int64_t total_steps = steps_per_epoch * recipe.epochs;

  ForwardContext context{Mode::kTrain, &dropout_rng};
  Batch batch;
  Tensor grad_logits;
  std::vector<int32_t> predictions;
  std::vector<EpochReport> reports;
  int64_t step = 0;
  for (int epoch = 0; epoch < recipe.epochs; ++epoch) {
    if (hooks.before_epoch) hooks.before_epoch(epoch);
    loader.set_epoch(static_cast<uint64_t>(epoch));
    double loss_sum = 0.0, seen = 0.0;
    int64_t correct = 0;
    float lr = schedule.at(step, total_steps, steps_per_epoch);
    const auto epoch_start = Clock::now();
    for (int64_t b = 0; b < steps_per_epoch; ++b, ++step) {
      loader.fill_batch(b, batch);
      const Tensor& logits = model.forward(batch.x, context);
      const float loss = hooks.loss ? hooks.loss(logits, batch, grad_logits)
                                    : cross_entropy(logits, batch.labels, &grad_logits);
      stop_if_diverged(loss, epoch, b, schedule.at(step, total_steps, steps_per_epoch));
      correct += count_correct(logits, batch.labels, predictions);
      model.zero_grad();
      if (hooks.extra_output_grads) {
        model.backward(grad_logits, hooks.extra_output_grads());
      } else {
        model.backward(grad_logits);
      }
      lr = schedule.at(step, total_steps, steps_per_epoch);
      optimizer.step(model, lr);
      if (hooks.after_step) hooks.after_step(step);
      loss_sum += static_cast<double>(loss) * static_cast<double>(batch.size());
      seen += static_cast<double>(batch.size());
      if (hooks.on_batch) {
        hooks.on_batch({epoch + 1, recipe.epochs, b + 1, steps_per_epoch, loss_sum / seen,
                        static_cast<double>(correct) / seen, seen / seconds_since(epoch_start)});
      }
    }
    EpochReport report;
    report.epoch = epoch + 1;
    report.epochs = recipe.epochs;
    report.train_seconds = seconds_since(epoch_start);
    report.train_loss = seen > 0 ? loss_sum / seen : 0.0;
    report.train_accuracy = seen > 0 ? static_cast<double>(correct) / seen : 0.0;
    report.images_per_second = report.train_seconds > 0 ? seen / report.train_seconds : 0.0;
    report.lr = lr;
    if (hooks.evaluate_each_epoch) {
      report.test_accuracy = evaluate(model, dataset, dataset.test).accuracy;
    }
    if (hooks.on_epoch) hooks.on_epoch(report);
    reports.push_back(report);
  }
  return reports;
}

EvalResult evaluate(Model& model, const Dataset& dataset, const Split& split, int64_t batch_size) {
  BatchLoader loader(dataset, split, BatchOptions{batch_size, std::nullopt, false});
  const ForwardContext context{Mode::kEval, nullptr};
  Batch batch;
  std::vector<int32_t> predictions;
  double loss_sum = 0.0;
  int64_t correct = 0, count = 0;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const Tensor& logits = model.forward(batch.x, context);
    loss_sum += static_cast<double>(cross_entropy(logits, batch.labels, nullptr)) *
                static_cast<double>(batch.size());
    correct += count_correct(logits, batch.labels, predictions);
    count += batch.size();
  }
  EvalResult result;
  result.count = count;
  if (count > 0) {
    result.accuracy = static_cast<double>(correct) / static_cast<double>(count);
    result.loss = loss_sum / static_cast<double>(count);
  }
  return result;
}

}  // namespace slim
