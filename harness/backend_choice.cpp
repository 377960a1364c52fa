#include "harness/backend_choice.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <exception>
#include <limits>
#include <vector>

#include "core/error.h"
#include "harness/measure/latency.h"

namespace slim {
namespace {

// Long enough to settle caches and frequency, short next to the real measurement.
LatencyOptions probe_options() {
  LatencyOptions options;
  options.warmup_runs = 3;
  options.min_time_s = 0.1;
  options.min_runs = 5;
  options.max_time_s = 2.0;
  return options;
}

bool is_candidate(const Backend& backend) {
  return backend.name != "reference" && backend.unavailable_reason().empty();
}

}  // namespace

BackendChoice choose_fastest_backend(const Model& model, const Tensor& single_input) {
  BackendChoice best;
  double best_p50 = std::numeric_limits<double>::infinity();
  std::vector<std::string> refusals;
  for (const Backend& backend : backend_table()) {
    if (!is_candidate(backend)) continue;
    std::unique_ptr<Executable> executable;
    try {
      executable = backend.lower(model);
    } catch (const std::exception& e) {
      best.probe[backend.name] = {{"error", e.what()}};
      refusals.push_back(fmt::format("{}: {}", backend.name, e.what()));
      continue;
    }
    const LatencyStats stats =
        measure_latency([&] { executable->run(single_input); }, probe_options());
    best.probe[backend.name] = {{"p50_us", stats.p50_us}};
    if (stats.p50_us < best_p50) {
      best_p50 = stats.p50_us;
      best.name = backend.name;
      best.executable = std::move(executable);
    }
  }
  if (!best.executable) {
    fail("no backend can run this model: {}", fmt::join(refusals, "; "));
  }
  return best;
}

}  // namespace slim
