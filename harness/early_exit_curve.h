// The accuracy / average-latency curve of a model with an early exit (metric
// "early_exit"): for each confidence threshold, the first N test samples run one at a
// time through EarlyExitRunner (harness/early_exit_runner.h), each run timed on its own
// with steady_clock, after an untimed warm-up. The same samples through the model without
// its head give the "no exit" reference. Samples are preloaded, so no data handling falls
// inside a timed window; the caller sets threads and pinning as for other latencies.
//
// Per threshold it records accuracy, the fraction of samples that exited, the mean, p50
// and p90 latency in microseconds, and the mean MACs per sample implied by the exit
// fraction (stem + head for an exit, stem + head + rest otherwise). Accuracy and exit
// fraction are over the N samples (the decisions are the same in every round); the
// latency statistics are over the N x rounds timed runs.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/model.h"
#include "datasets/dataset.h"
#include "kernels/backend.h"

namespace slim {

struct EarlyExitCurveOptions {
  // 1.01 can never be reached by a softmax maximum: the runner always takes the rest,
  // so that point shows the cost of computing the head for nothing.
  std::vector<double> thresholds = {0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01};
  int64_t max_samples = 2000;  // N = min(max_samples, test count)
  int warmup_samples = 20;     // untimed, before each series
  // Every series (the reference and each threshold) runs once per round, in turn, and
  // the statistics pool the rounds: a change in machine load during the measurement then
  // spreads over all thresholds instead of landing on one of them.
  int rounds = 3;
};

// {"samples", "warmup_samples", "rounds", "cut", "macs": {stem, head, rest},
//  "no_exit": {accuracy, mean_us, p50_us, p90_us, mean_macs},
//  "curve": [{threshold, accuracy, exit_fraction, mean_us, p50_us, p90_us, mean_macs}...]}
// with thresholds ascending. Throws UserError when `model` has no early exit.
nlohmann::json measure_early_exit_curve(const Model& model, const Backend& backend,
                                        const Dataset& dataset,
                                        const EarlyExitCurveOptions& options);

}  // namespace slim
