// slimbench train --model NAME --dataset NAME [--epochs N] [--seed S] --out FILE
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "cli/commands.h"
#include "cli/threads.h"
#include "core/error.h"
#include "core/gemm.h"
#include "core/train/init.h"
#include "core/train/progress.h"
#include "core/train/trainer.h"
#include "datasets/registry.h"
#include "models/checkpoint.h"
#include "models/zoo.h"

namespace slim::cli {
namespace {

struct TrainArgs {
  std::string model;
  std::string dataset = "fashion-mnist";
  std::optional<int> epochs;
  std::optional<uint64_t> seed;
  std::optional<int64_t> batch_size;
  std::optional<float> lr;
  std::string out;
  int threads = 0;
};

int run_train(const TrainArgs& args) {
  apply_thread_count(args.threads);
  const ZooEntry& entry = find_model(args.model);
  const Dataset dataset = load_dataset(args.dataset);
  Recipe recipe = entry.default_recipe();
  if (args.epochs) recipe.epochs = *args.epochs;
  if (args.seed) recipe.seed = *args.seed;
  if (args.batch_size) recipe.batch_size = *args.batch_size;
  if (args.lr) recipe.lr = *args.lr;

  Model model = entry.build(dataset.sample_shape, dataset.num_classes);
  Rng init_rng = Rng(recipe.seed).split(kInitStream);
  init_parameters(model, init_rng);
  fmt::print(stderr, "training {} ({} parameters) on {} for {} epochs, seed {}, {} threads\n",
             entry.name, model.parameter_count(), dataset.name, recipe.epochs, recipe.seed,
             num_threads());

  TrainHooks hooks;
  TrainingProgress progress(stderr);
  progress.attach(hooks);
  const std::vector<EpochReport> reports = train(model, dataset, recipe, hooks);
  const EvalResult test = evaluate(model, dataset, dataset.test);

  double train_seconds = 0.0, images = 0.0;
  for (const EpochReport& r : reports) {
    train_seconds += r.train_seconds;
    images += r.images_per_second * r.train_seconds;
  }
  CheckpointInfo info;
  info.recipe = recipe.to_json();
  info.dataset = dataset.name;
  // Only deterministic quantities go into the file, so equal seeds give equal bytes.
  info.metrics = {{"test_accuracy", test.accuracy},
                  {"test_loss", test.loss},
                  {"train_loss", reports.empty() ? 0.0 : reports.back().train_loss}};
  save_checkpoint(args.out, model, info);
  fmt::print("{}: test accuracy {:.2f}% ({} images), {:.0f} img/s over {:.1f}s of training -> {}\n",
             entry.name, 100.0 * test.accuracy, test.count,
             train_seconds > 0 ? images / train_seconds : 0.0, train_seconds, args.out);
  return 0;
}

}  // namespace

Command add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* sub =
      app.add_subcommand("train", "train a zoo model from scratch and save a checkpoint");
  sub->add_option("--model", args->model, "zoo model name (see `slimbench list models`)")
      ->required();
  sub->add_option("--dataset", args->dataset, "dataset spec (see `slimbench list datasets`)")
      ->capture_default_str();
  sub->add_option("--epochs", args->epochs, "override the recipe's epoch count")
      ->check(CLI::Range(0, 10000));
  sub->add_option("--seed", args->seed, "seed for initialisation, shuffling and dropout");
  sub->add_option("--batch-size", args->batch_size, "override the recipe's batch size")
      ->check(CLI::Range(1, 1 << 20));
  sub->add_option("--lr", args->lr, "override the recipe's peak learning rate")
      ->check(CLI::Range(0.0f, 100.0f));
  sub->add_option("--out", args->out, "checkpoint file to write (.safetensors)")->required();
  add_thread_option(*sub, args->threads);
  return [args] { return run_train(*args); };
}

}  // namespace slim::cli
