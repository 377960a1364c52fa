#include "harness/measure/latency.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "harness/measure/energy.h"
#include "harness/measure/statistics.h"

namespace slim {
namespace {

using Clock = std::chrono::steady_clock;

// Reading a meter costs a sysfs read; once a second is far more often than any RAPL
// counter wraps (minutes) and far too rare to disturb the window's energy.
constexpr std::chrono::seconds kMeterPollInterval{1};

void validate(const LatencyOptions& options) {
  if (options.warmup_runs < 0)
    fail("latency warmup_runs must be >= 0, got {}", options.warmup_runs);
  if (options.min_runs < 1) fail("latency min_runs must be >= 1, got {}", options.min_runs);
  if (options.max_samples_kept < 1) {
    fail("latency max_samples_kept must be >= 1, got {}", options.max_samples_kept);
  }
  if (!(options.min_time_s >= 0.0))
    fail("latency min_time_s must be >= 0, got {}", options.min_time_s);
  if (!(options.max_time_s >= 0.0))
    fail("latency max_time_s must be >= 0, got {}", options.max_time_s);
}

double seconds_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

double microseconds_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double, std::micro>(end - start).count();
}

// Keeps the meter's wraparound tracking current without reading it after every run.
class MeterPoller {
 public:
  explicit MeterPoller(EnergyMeter* meter) : meter_(meter) {}

  // Joules at the start of the window; 0 without a meter.
  double start() {
    last_poll_ = Clock::now();
    return meter_ ? meter_->joules() : 0.0;
  }
  void poll_if_due(Clock::time_point now) {
    if (!meter_ || now - last_poll_ < kMeterPollInterval) return;
    meter_->joules();
    last_poll_ = now;
  }
  double finish() { return meter_ ? meter_->joules() : 0.0; }

 private:
  EnergyMeter* meter_;
  Clock::time_point last_poll_;
};

struct TimedWindow {
  std::vector<double> samples_us;  // every timed run, in order
  double duration_s = 0;
  double joules = 0;  // energy over the window; meaningful only with a meter
};

// Runs until both minimums are met or the cap is reached; always at least one run, so
// there is something to report even when the cap is zero.
TimedWindow run_timed_window(const std::function<void()>& run_once, const LatencyOptions& options,
                             EnergyMeter* meter) {
  TimedWindow window;
  MeterPoller poller(meter);
  const double joules_at_start = poller.start();
  const Clock::time_point window_start = Clock::now();
  Clock::time_point run_end = window_start;
  while (true) {
    const Clock::time_point run_start = Clock::now();
    run_once();
    run_end = Clock::now();
    window.samples_us.push_back(microseconds_between(run_start, run_end));
    const double elapsed_s = seconds_between(window_start, run_end);
    const bool minimums_met = elapsed_s >= options.min_time_s &&
                              window.samples_us.size() >= static_cast<size_t>(options.min_runs);
    if (minimums_met || elapsed_s >= options.max_time_s) break;
    poller.poll_if_due(run_end);
  }
  window.duration_s = seconds_between(window_start, run_end);
  window.joules = poller.finish() - joules_at_start;
  return window;
}

void fill_latency_summary(const std::vector<double>& samples_us, LatencyStats& stats) {
  std::vector<double> sorted = samples_us;
  std::sort(sorted.begin(), sorted.end());
  stats.p50_us = percentile_of_sorted(sorted, 50.0);
  stats.p90_us = percentile_of_sorted(sorted, 90.0);
  stats.p99_us = percentile_of_sorted(sorted, 99.0);
  stats.min_us = sorted.front();
  stats.max_us = sorted.back();
  stats.mean_us = mean(samples_us);
  stats.stddev_us = sample_stddev(samples_us);
}

}  // namespace

LatencyStats measure_latency(const std::function<void()>& run_once, const LatencyOptions& options,
                             EnergyMeter* meter) {
  validate(options);
  for (int i = 0; i < options.warmup_runs; ++i) run_once();

  const TimedWindow window = run_timed_window(run_once, options, meter);

  LatencyStats stats;
  stats.warmup_runs = options.warmup_runs;
  stats.runs = static_cast<int64_t>(window.samples_us.size());
  stats.duration_s = window.duration_s;
  stats.min_time_met = window.duration_s >= options.min_time_s;
  stats.min_runs_met = stats.runs >= options.min_runs;
  fill_latency_summary(window.samples_us, stats);
  stats.samples_us = evenly_spaced_subsample(window.samples_us,
                                             static_cast<std::size_t>(options.max_samples_kept));
  if (meter) {
    stats.energy_j_per_run = window.joules / static_cast<double>(stats.runs);
    stats.energy_source = meter->source();
  }
  return stats;
}

nlohmann::json LatencyStats::to_json() const {
  nlohmann::json out = {
      {"runs", runs},
      {"duration_s", duration_s},
      {"warmup_runs", warmup_runs},
      {"min_time_met", min_time_met},
      {"min_runs_met", min_runs_met},
      {"valid", valid()},
      {"latency_us",
       {{"p50", p50_us},
        {"p90", p90_us},
        {"p99", p99_us},
        {"min", min_us},
        {"max", max_us},
        {"mean", mean_us},
        {"stddev", stddev_us}}},
      {"samples_us", samples_us},
  };
  if (energy_j_per_run) {
    out["energy_j_per_run"] = *energy_j_per_run;
    out["energy_source"] = energy_source;
  }
  return out;
}

}  // namespace slim
