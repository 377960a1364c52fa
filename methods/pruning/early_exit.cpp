#include "methods/pruning/early_exit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "core/train/init.h"
#include "core/train/loss.h"
#include "core/train/optimizer.h"
#include "datasets/batch_loader.h"
#include "methods/pruning/early_exit_graph.h"
#include "methods/pruning/pruning_settings.h"

namespace slim {
namespace {

// Rng streams of this method, derived from the job seed (pruning_settings.h).
constexpr uint64_t kHeadInitStream = 0x6565'0001;  // "ee"
constexpr uint64_t kHeadShuffleStream = 0x6565'0002;

std::string chosen_exit_point(const Model& model, const std::string& given) {
  if (!given.empty()) return given;
  std::string point = default_exit_point(model.architecture());
  if (point.empty()) {
    fail("early_exit: no default exit point for model {}; set 'after' to one of: {}",
         model.architecture(), fmt::join(exit_points(model), ", "));
  }
  return point;
}

// SGD on the head's parameters only, fed by the stem in eval mode: the backbone (and its
// BatchNorm statistics) stays exactly as trained.
void train_head(Model& stem, Model& head, const MethodContext& context, int epochs, float lr) {
  const Dataset& dataset = context.dataset;
  BatchLoader loader(dataset, dataset.train,
                     BatchOptions{context.baseline_recipe.batch_size,
                                  pruning_seed(context.seed, kHeadShuffleStream), false});
  Sgd optimizer(SgdOptions{0.9f, 0.0f, false});
  const ForwardContext eval{Mode::kEval, nullptr};
  const ForwardContext train{Mode::kTrain, nullptr};  // the head has no stochastic layers
  Batch batch;
  Tensor grad_logits;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    loader.set_epoch(static_cast<uint64_t>(epoch));
    double loss_sum = 0.0;
    for (int64_t b = 0; b < loader.num_batches(); ++b) {
      loader.fill_batch(b, batch);
      const Tensor& features = stem.forward(batch.x, eval);
      const Tensor& logits = head.forward(features, train);
      loss_sum += static_cast<double>(cross_entropy(logits, batch.labels, &grad_logits));
      head.zero_grad();
      head.backward(grad_logits);
      optimizer.step(head, lr);
    }
    fmt::print(context.log, "early_exit: head epoch {}/{} loss {:.4f}\n", epoch + 1, epochs,
               loss_sum / static_cast<double>(loader.num_batches()));
  }
}

float head_max_probability(const Tensor& probabilities, int64_t row) {
  const int64_t classes = probabilities.dim(1);
  float best = 0.0f;
  for (int64_t k = 0; k < classes; ++k) best = std::max(best, probabilities[row * classes + k]);
  return best;
}

// How the exit behaves on the calibration slice (a subset of the training split, so the
// head accuracy is optimistic; the harness's curve is on the test split).
nlohmann::json calibration_summary(EarlyExitParts& parts, const MethodContext& context,
                                   double threshold) {
  BatchLoader loader(context.dataset, context.dataset.train, context.calibration_indices,
                     BatchOptions{context.baseline_recipe.batch_size});
  const ForwardContext eval{Mode::kEval, nullptr};
  Batch batch;
  std::vector<int32_t> head_pred, full_pred;
  int64_t head_correct = 0, full_correct = 0, exited = 0, combined_correct = 0;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const Tensor& features = parts.stem.forward(batch.x, eval);
    const Tensor probabilities = softmax(parts.head.forward(features, eval));
    head_pred.resize(batch.labels.size());
    full_pred.resize(batch.labels.size());
    argmax_rows(probabilities, head_pred);
    argmax_rows(parts.rest.forward(features, eval), full_pred);
    for (size_t i = 0; i < batch.labels.size(); ++i) {
      const bool exits = head_max_probability(probabilities, static_cast<int64_t>(i)) >= threshold;
      head_correct += head_pred[i] == batch.labels[i];
      full_correct += full_pred[i] == batch.labels[i];
      exited += exits;
      combined_correct += (exits ? head_pred[i] : full_pred[i]) == batch.labels[i];
    }
  }
  const auto fraction = [&](int64_t count) {
    return static_cast<double>(count) / static_cast<double>(loader.num_samples());
  };
  return {{"samples", loader.num_samples()},
          {"head_accuracy", fraction(head_correct)},
          {"full_accuracy", fraction(full_correct)},
          {"exit_fraction", fraction(exited)},
          {"accuracy_at_threshold", fraction(combined_correct)}};
}

void copy_head_parameters(Model& from, Model& into) {
  for (auto& [name, parameter] : from.parameters()) into.parameter(name).value = parameter->value;
}

void apply_early_exit(Model& model, const nlohmann::json& params, MethodContext& context) {
  const std::string after = chosen_exit_point(model, params.at("after").get<std::string>());
  const int epochs = params.at("epochs").get<int>();
  const auto lr = params.at("lr").get<float>();
  const double threshold = params.at("threshold").get<double>();

  Model with_head = with_exit_head(model, after);
  const EarlyExitGraph exit = *find_early_exit(with_head);
  EarlyExitParts parts = split_early_exit(with_head, exit);
  Rng init_rng(pruning_seed(context.seed, kHeadInitStream));
  init_parameters(parts.head, init_rng);
  train_head(parts.stem, parts.head, context, epochs, lr);
  copy_head_parameters(parts.head, with_head);
  model = std::move(with_head);

  nlohmann::json report = {
      {"after", after},
      {"head", exit.head},
      {"threshold", threshold},
      {"head_parameters", parts.head.parameter_count()},
      {"macs",
       {{"stem", parts.stem.macs_per_sample()},
        {"head", parts.head.macs_per_sample()},
        {"rest", parts.rest.macs_per_sample()}}},
      {"calibration", calibration_summary(parts, context, threshold)},
  };
  const nlohmann::json& calibration = report.at("calibration");
  fmt::print(context.log,
             "early_exit: head after {} ({} parameters): {:.4f} accuracy on the calibration "
             "slice (full model {:.4f}); at threshold {} {:.1f}% exit\n",
             after, report.at("head_parameters").get<int64_t>(),
             calibration.at("head_accuracy").get<double>(),
             calibration.at("full_accuracy").get<double>(), threshold,
             100.0 * calibration.at("exit_fraction").get<double>());
  context.report["early_exit"] = std::move(report);
}

}  // namespace

Method early_exit_method() {
  return Method{
      .name = "early_exit",
      .family = MethodFamily::kPruning,
      .description =
          "run-time pruning: an exit head after an early layer, taken when its softmax is "
          "confident (metric early_exit times the curve)",
      .params =
          {
              choice_param("after", "", {},
                           "node the exit head reads; empty: the zoo's default "
                           "(lenet-5 pool1, resnet-8 layer1.relu2)"),
              int_param("epochs", 2, 1, 100, "head training epochs (backbone frozen)"),
              number_param("lr", 0.05, 1e-6, 10.0, "head SGD learning rate (momentum 0.9)"),
              number_param("threshold", 0.9, 0.0, 1.0,
                           "max softmax at or above which an input exits (default operating "
                           "point; the early_exit metric sweeps it)"),
          },
      .apply = apply_early_exit,
  };
}

}  // namespace slim
