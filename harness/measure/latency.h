// Latency of one inference, measured the way MLPerf loadgen and google/benchmark do:
// untimed warm-up first, then timed runs until both a minimum duration and a minimum
// count are reached, each run timed on its own so percentiles are real, not averages.
//
// A measurement that hits the time cap first is still returned, with the unmet
// condition recorded and valid() false, so a slow configuration shows up in the results
// as invalid instead of silently producing a figure from too few runs.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace slim {

struct LatencyOptions {
  int warmup_runs = 10;     // excluded from every statistic
  double min_time_s = 0.5;  // timed runs continue until BOTH min_time_s and min_runs are met...
  int min_runs = 20;
  double max_time_s = 20.0;    // ...or until this cap, in which case the record is marked invalid
  int max_samples_kept = 512;  // samples stored in results (evenly spaced in time order)
};

class EnergyMeter;

struct LatencyStats {
  int warmup_runs = 0;
  int64_t runs = 0;       // timed runs
  double duration_s = 0;  // wall time of the timed window
  bool min_time_met = false;
  bool min_runs_met = false;
  bool valid() const { return min_time_met && min_runs_met; }

  // Over every timed run, not only the kept samples.
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double min_us = 0;
  double max_us = 0;
  double mean_us = 0;
  double stddev_us = 0;  // sample standard deviation (n - 1)

  std::vector<double> samples_us;  // at most max_samples_kept, evenly spaced, in time order

  std::optional<double> energy_j_per_run;  // over the timed window, when a meter was given
  std::string energy_source;               // the meter's source, e.g. "rapl"; empty when none

  // {"runs","duration_s","warmup_runs","min_time_met","min_runs_met","valid",
  //  "latency_us":{"p50","p90","p99","min","max","mean","stddev"},"samples_us":[...]}
  // plus "energy_j_per_run" and "energy_source" when energy was measured.
  nlohmann::json to_json() const;
};

// Calls run_once warmup_runs times untimed, then times it run by run (steady_clock) as
// described above. With a meter, energy is read at the window's edges (and about once a
// second in between, so counter wraparound is caught) and divided by the timed runs; it
// includes whatever else the machine did meanwhile. Throws UserError for options that
// cannot describe a measurement (negative warm-up, fewer than one run or sample kept,
// negative times).
LatencyStats measure_latency(const std::function<void()>& run_once, const LatencyOptions& options,
                             EnergyMeter* meter = nullptr);

}  // namespace slim
