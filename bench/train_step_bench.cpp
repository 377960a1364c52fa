// Training throughput of every zoo model: one SGD step (forward, loss, backward, update)
// per benchmark iteration on a preloaded batch, reported as images per second.
//
//   build/bin/bench_train_step --benchmark_min_time=2 [--threads=N]
//
// Data loading is outside the timed loop (the real loader costs ~60 us per 256 images).
// The `epoch_s` counter is the wall time that 60,000 images (one Fashion-MNIST epoch)
// take at the measured rate; `slimbench train` prints the measured epoch time too.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/gemm.h"
#include "core/train/init.h"
#include "core/train/loss.h"
#include "core/train/optimizer.h"
#include "datasets/batch_loader.h"
#include "datasets/registry.h"
#include "models/zoo.h"

namespace {

constexpr int64_t kBatchSize = 128;
constexpr double kEpochImages = 60000.0;

void train_step(benchmark::State& state, std::string_view model_name) {
  const slim::Dataset dataset = slim::load_dataset("synthetic");
  const slim::ZooEntry& entry = slim::find_model(model_name);
  slim::Model model = entry.build(dataset.sample_shape, dataset.num_classes);
  slim::Rng rng(0);
  slim::init_parameters(model, rng);
  const slim::Recipe recipe = entry.default_recipe();
  slim::Sgd sgd({recipe.momentum, recipe.weight_decay, recipe.nesterov});
  slim::BatchLoader loader(dataset, dataset.train, slim::BatchOptions{kBatchSize, 1, true});
  slim::Batch batch;
  loader.fill_batch(0, batch);
  slim::Rng dropout_rng(1);
  const slim::ForwardContext context{slim::Mode::kTrain, &dropout_rng};
  slim::Tensor grad;
  for (auto _ : state) {
    const slim::Tensor& logits = model.forward(batch.x, context);
    benchmark::DoNotOptimize(slim::cross_entropy(logits, batch.labels, &grad));
    model.zero_grad();
    model.backward(grad);
    sgd.step(model, 0.001f);
  }
  const double images = static_cast<double>(state.iterations() * kBatchSize);
  state.SetItemsProcessed(static_cast<int64_t>(images));
  state.counters["images_per_s"] = benchmark::Counter(images, benchmark::Counter::kIsRate);
  // Epochs per second, inverted: seconds per 60,000-image epoch.
  state.counters["epoch_s"] = benchmark::Counter(
      images / kEpochImages, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["threads"] = slim::num_threads();
  state.SetLabel("openblas:" + slim::openblas_core_name());
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0;
  // --threads=N is ours; everything else goes to Google Benchmark.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) {
      threads = std::atoi(argv[i] + 10);
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  slim::set_num_threads(threads > 0 ? threads : 2);
  for (const slim::ZooEntry& entry : slim::model_zoo()) {
    benchmark::RegisterBenchmark(("train_step/" + std::string(entry.name)).c_str(), train_step,
                                 entry.name)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("openblas_core", slim::openblas_core_name());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
