#include "harness/early_exit_curve.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>

#include "core/error.h"
#include "core/train/loss.h"
#include "datasets/batch_loader.h"
#include "harness/early_exit_runner.h"
#include "harness/measure/statistics.h"
#include "methods/pruning/early_exit_graph.h"

namespace slim {
namespace {

using Clock = std::chrono::steady_clock;

struct Samples {
  std::vector<Tensor> inputs;  // each [1, sample_shape...]
  std::vector<int32_t> labels;
};

Samples first_test_samples(const Dataset& dataset, int64_t count) {
  BatchLoader loader(dataset, dataset.test, BatchOptions{count});
  Batch batch;
  loader.fill_batch(0, batch);
  Shape shape = batch.x.shape();
  shape[0] = 1;
  const int64_t numel = shape_numel(shape);
  Samples samples;
  samples.labels = batch.labels;
  for (int64_t i = 0; i < count; ++i) {
    samples.inputs.emplace_back(
        shape, std::span<const float>(batch.x.data() + i * numel, static_cast<size_t>(numel)));
  }
  return samples;
}

int32_t predicted_class(const Tensor& logits) {
  const std::span<const float> row = logits.values();
  return static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

// One timed series: `run` answers a sample with its logits and whether it exited.
struct Series {
  int64_t correct = 0;
  int64_t exited = 0;
  std::vector<double> us;
};

using SampleRunner = std::function<ExitOutcome(const Tensor&)>;

// One more round of `series`: warm-up, then every sample timed on its own. Decisions are
// counted in the first round only, since every round makes the same ones.
void run_round(const Samples& samples, int warmup, const SampleRunner& run, Series& series) {
  const size_t count = samples.inputs.size();
  const bool first_round = series.us.empty();
  for (int i = 0; i < warmup; ++i) run(samples.inputs[static_cast<size_t>(i) % count]);
  for (size_t i = 0; i < count; ++i) {
    const auto start = Clock::now();
    const ExitOutcome outcome = run(samples.inputs[i]);
    const auto stop = Clock::now();
    series.us.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
    if (first_round) {
      series.correct += predicted_class(outcome.logits) == samples.labels[i];
      series.exited += outcome.exited;
    }
  }
}

nlohmann::json summarize(const Series& series, int64_t count_samples, int64_t exit_macs,
                         int64_t full_macs) {
  const auto count = static_cast<double>(count_samples);
  const double exit_fraction = static_cast<double>(series.exited) / count;
  std::vector<double> sorted = series.us;
  std::sort(sorted.begin(), sorted.end());
  return {{"accuracy", static_cast<double>(series.correct) / count},
          {"exit_fraction", exit_fraction},
          {"mean_us", mean(sorted)},
          {"p50_us", percentile_of_sorted(sorted, 50)},
          {"p90_us", percentile_of_sorted(sorted, 90)},
          {"mean_macs", exit_fraction * static_cast<double>(exit_macs) +
                            (1.0 - exit_fraction) * static_cast<double>(full_macs)}};
}

}  // namespace

nlohmann::json measure_early_exit_curve(const Model& model, const Backend& backend,
                                        const Dataset& dataset,
                                        const EarlyExitCurveOptions& options) {
  const std::optional<EarlyExitGraph> exit = find_early_exit(model);
  if (!exit) fail("model {} has no early exit to measure", model.architecture());
  const EarlyExitParts parts = split_early_exit(model, *exit);
  const int64_t stem_macs = parts.stem.macs_per_sample();
  const int64_t head_macs = parts.head.macs_per_sample();
  const int64_t rest_macs = parts.rest.macs_per_sample();
  const int64_t exit_macs = stem_macs + head_macs;
  const int64_t full_macs = exit_macs + rest_macs;

  const int64_t count = std::min(options.max_samples, dataset.test.count);
  const Samples samples = first_test_samples(dataset, count);

  const std::unique_ptr<Executable> plain = backend.lower(without_exit_head(model, *exit));
  EarlyExitRunner runner(model, backend);
  std::vector<double> thresholds = options.thresholds;
  std::sort(thresholds.begin(), thresholds.end());

  // Series 0 is the model without its head; series k > 0 is thresholds[k - 1].
  std::vector<SampleRunner> runs = {[&](const Tensor& x) {
    return ExitOutcome{plain->run(x), false};
  }};
  for (double threshold : thresholds) {
    runs.emplace_back(
        [&runner, threshold](const Tensor& x) { return runner.run_one(x, threshold); });
  }
  std::vector<Series> series(runs.size());
  for (int round = 0; round < std::max(options.rounds, 1); ++round) {
    for (size_t k = 0; k < runs.size(); ++k) {
      run_round(samples, options.warmup_samples, runs[k], series[k]);
    }
  }

  nlohmann::json no_exit = summarize(series[0], count, exit_macs, stem_macs + rest_macs);
  no_exit.erase("exit_fraction");
  nlohmann::json curve = nlohmann::json::array();
  for (size_t k = 0; k < thresholds.size(); ++k) {
    nlohmann::json point = summarize(series[k + 1], count, exit_macs, full_macs);
    point["threshold"] = thresholds[k];
    curve.push_back(std::move(point));
  }
  return {{"samples", count},
          {"warmup_samples", options.warmup_samples},
          {"rounds", std::max(options.rounds, 1)},
          {"cut", exit->cut},
          {"macs", {{"stem", stem_macs}, {"head", head_macs}, {"rest", rest_macs}}},
          {"no_exit", std::move(no_exit)},
          {"curve", std::move(curve)}};
}

}  // namespace slim
