// measure_latency: which runs count, when it stops, and what it records. No assertion
// depends on how fast anything is; sleeps only guarantee a minimum per-run time.
#include "harness/measure/latency.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/error.h"
#include "harness/measure/energy.h"

namespace slim {
namespace {

void sleep_about_1ms() {
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

// A meter whose reading the test controls, so energy per run is known exactly.
class FakeMeter : public EnergyMeter {
 public:
  double joules() override { return reading; }
  std::string source() const override { return "fake"; }
  double reading = 0;
};

TEST_CASE("latency meets both minimums with a 1 ms run", "[measure][latency]") {
  LatencyOptions options;
  options.warmup_runs = 2;
  options.min_runs = 5;
  options.min_time_s = 0.02;
  options.max_time_s = 20;
  const LatencyStats stats = measure_latency(sleep_about_1ms, options);
  INFO("runs=" << stats.runs << " duration_s=" << stats.duration_s << " p50_us=" << stats.p50_us);
  CHECK(stats.min_time_met);
  CHECK(stats.min_runs_met);
  CHECK(stats.valid());
  CHECK(stats.runs >= 5);
  CHECK(stats.duration_s >= 0.02);
  // sleep_for never returns early, so every run is at least 1000 us.
  CHECK(stats.min_us >= 1000.0);
  CHECK(stats.min_us <= stats.p50_us);
  CHECK(stats.p50_us <= stats.p90_us);
  CHECK(stats.p90_us <= stats.p99_us);
  CHECK(stats.p99_us <= stats.max_us);
}

TEST_CASE("latency is invalid when the cap is shorter than min_time", "[measure][latency]") {
  LatencyOptions options;
  options.warmup_runs = 0;
  options.min_runs = 5;
  options.min_time_s = 0.02;
  options.max_time_s = 0.005;
  const LatencyStats stats = measure_latency(sleep_about_1ms, options);
  INFO("runs=" << stats.runs << " duration_s=" << stats.duration_s
               << " min_time_met=" << stats.min_time_met << " min_runs_met=" << stats.min_runs_met);
  CHECK_FALSE(stats.min_time_met);
  CHECK_FALSE(stats.valid());
  CHECK(stats.duration_s >= options.max_time_s);  // it stopped at the cap, not before
  CHECK_FALSE(stats.to_json()["valid"].get<bool>());
}

TEST_CASE("latency is invalid when the cap comes before min_runs", "[measure][latency]") {
  LatencyOptions options;
  options.warmup_runs = 0;
  options.min_runs = 1000000;  // 1000 s of 1 ms runs
  options.min_time_s = 0;
  options.max_time_s = 0.01;
  const LatencyStats stats = measure_latency(sleep_about_1ms, options);
  INFO("runs=" << stats.runs << " duration_s=" << stats.duration_s);
  CHECK(stats.min_time_met);
  CHECK_FALSE(stats.min_runs_met);
  CHECK_FALSE(stats.valid());
}

TEST_CASE("warmup runs are excluded from the timed runs", "[measure][latency]") {
  LatencyOptions options;
  options.warmup_runs = 3;
  options.min_runs = 7;
  options.min_time_s = 0;  // so the count alone decides: exactly min_runs timed runs
  int calls = 0;
  const LatencyStats stats = measure_latency([&] { ++calls; }, options);
  INFO("calls=" << calls << " runs=" << stats.runs << " warmup=" << stats.warmup_runs);
  CHECK(calls == 10);
  CHECK(stats.runs == 7);
  CHECK(stats.warmup_runs == 3);
  CHECK(stats.samples_us.size() == 7);
}

TEST_CASE("kept samples are capped at max_samples_kept", "[measure][latency]") {
  LatencyOptions options;
  options.warmup_runs = 0;
  options.min_runs = 2000;
  options.min_time_s = 0;
  options.max_samples_kept = 100;
  const LatencyStats stats = measure_latency([] {}, options);
  INFO("runs=" << stats.runs << " kept=" << stats.samples_us.size());
  CHECK(stats.runs == 2000);
  CHECK(stats.samples_us.size() == 100);
  CHECK(stats.to_json()["samples_us"].size() == 100);
}

TEST_CASE("latency JSON has every documented key", "[measure][latency]") {
  LatencyOptions options;
  options.warmup_runs = 1;
  options.min_runs = 3;
  options.min_time_s = 0;
  const nlohmann::json json = measure_latency([] {}, options).to_json();
  INFO(json.dump(2));
  for (const char* key : {"runs", "duration_s", "warmup_runs", "min_time_met", "min_runs_met",
                          "valid", "samples_us"}) {
    CHECK(json.contains(key));
  }
  for (const char* key : {"p50", "p90", "p99", "min", "max", "mean", "stddev"}) {
    CHECK(json["latency_us"].contains(key));
  }
  CHECK_FALSE(json.contains("energy_j_per_run"));  // no meter, no energy figure
}

TEST_CASE("energy per run is the timed window's energy over its runs", "[measure][latency]") {
  LatencyOptions options;
  options.warmup_runs = 4;  // their 4 J must not count
  options.min_runs = 25;
  options.min_time_s = 0;
  FakeMeter meter;
  const LatencyStats stats = measure_latency([&] { meter.reading += 2.0; }, options, &meter);
  INFO("runs=" << stats.runs << " energy_j_per_run=" << stats.energy_j_per_run.value_or(-1));
  REQUIRE(stats.energy_j_per_run.has_value());
  CHECK(*stats.energy_j_per_run == Approx(2.0));
  CHECK(stats.energy_source == "fake");
  const nlohmann::json json = stats.to_json();
  CHECK(json["energy_j_per_run"].get<double>() == Approx(2.0));
  CHECK(json["energy_source"] == "fake");
}

TEST_CASE("latency rejects options that describe no measurement", "[measure][latency]") {
  const auto with = [](auto change) {
    LatencyOptions options;
    change(options);
    return options;
  };
  CHECK_THROWS_AS(measure_latency([] {}, with([](LatencyOptions& o) { o.min_runs = 0; })),
                  UserError);
  CHECK_THROWS_AS(measure_latency([] {}, with([](LatencyOptions& o) { o.warmup_runs = -1; })),
                  UserError);
  CHECK_THROWS_AS(measure_latency([] {}, with([](LatencyOptions& o) { o.max_samples_kept = 0; })),
                  UserError);
  CHECK_THROWS_AS(measure_latency([] {}, with([](LatencyOptions& o) { o.min_time_s = -1; })),
                  UserError);
}

}  // namespace
}  // namespace slim
