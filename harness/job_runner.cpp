#include "harness/job_runner.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "core/gemm.h"
#include "core/model_size.h"
#include "core/train/loss.h"
#include "datasets/batch_loader.h"
#include "harness/backend_choice.h"
#include "harness/early_exit_curve.h"
#include "harness/measure/latency.h"
#include "harness/measure/rapl_meter.h"
#include "harness/measure/thread_pinning.h"
#include "harness/work_counts.h"
#include "kernels/backend.h"
#include "methods/pruning/early_exit_graph.h"
#include "methods/registry.h"

namespace slim {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string utc_now() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

// The first `batch_size` test images (cycling if the split is smaller), preloaded so
// that no data handling falls inside the timed window.
Tensor latency_input(const Dataset& dataset, int64_t batch_size) {
  std::vector<int64_t> indices(static_cast<size_t>(batch_size));
  for (int64_t i = 0; i < batch_size; ++i) indices[i] = i % dataset.test.count;
  BatchLoader loader(dataset, dataset.test, std::move(indices), BatchOptions{batch_size});
  Batch batch;
  loader.fill_batch(0, batch);
  return std::move(batch.x);
}

// Sets the thread count for timing and restores the caller's on scope exit.
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int threads) : saved_(num_threads()) { set_num_threads(threads); }
  ~ThreadCountScope() { set_num_threads(saved_); }
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int saved_;
};

json compress_key_config(const Job& job) {
  json key = job.config;
  key.erase("backend");
  key.erase("measure");
  return key;
}

// The key of the model after the first `count` steps of the job's pipeline: the job's
// compression key with the pipeline cut short (steps spelled as job.cpp spells them).
std::string prefix_key(const Job& job, size_t count) {
  json key = compress_key_config(job);
  json steps = json::array();
  for (size_t i = 0; i < count; ++i) {
    const StepConfig& step = job.pipeline->steps[i];
    if (step.method != "fp32") steps.push_back({{"method", step.method}, {"params", step.params}});
  }
  key["pipeline"] = std::move(steps);
  return config_hash(key);
}

double test_accuracy(Executable& executable, const Dataset& dataset, int64_t batch_size) {
  BatchLoader loader(dataset, dataset.test, BatchOptions{batch_size});
  Batch batch;
  std::vector<int32_t> predictions;
  int64_t correct = 0;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const Tensor& logits = executable.run(batch.x);
    predictions.resize(batch.labels.size());
    argmax_rows(logits, predictions);
    for (size_t i = 0; i < predictions.size(); ++i) correct += predictions[i] == batch.labels[i];
  }
  return static_cast<double>(correct) / static_cast<double>(loader.num_samples());
}

// The early-exit curve on the backend that ran the job, under the same thread count and
// pinning as the latency runs, with the method's own threshold among the points.
json early_exit_metrics(const Model& model, const std::string& backend, const Dataset& dataset,
                        int threads, const json& method_report) {
  EarlyExitCurveOptions options;
  if (method_report.contains("early_exit")) {
    const double threshold = method_report["early_exit"].at("threshold").get<double>();
    if (std::find(options.thresholds.begin(), options.thresholds.end(), threshold) ==
        options.thresholds.end()) {
      options.thresholds.push_back(threshold);
    }
  }
  ThreadCountScope scope(threads);
  const ThreadPinning pinning(threads);
  json curve = measure_early_exit_curve(model, find_backend(backend), dataset, options);
  curve["threads"] = threads;
  curve["pinned_cpus"] = pinning.cpus();
  return curve;
}

}  // namespace

double backend_accuracy(const Model& model, const std::string& backend, const Dataset& dataset,
                        int64_t batch_size) {
  return test_accuracy(*find_backend(backend).lower(model), dataset, batch_size);
}

JobRunner::JobRunner(const Sweep& sweep, const Dataset& dataset, std::filesystem::path cache_dir,
                     std::FILE* log)
    : sweep_(sweep), dataset_(dataset), cache_dir_(std::move(cache_dir)), log_(log) {}

EnergyMeter* JobRunner::energy_meter_for(const std::string& backend, std::string* why_unavailable) {
  const Backend& entry = find_backend(backend);
  const std::string key = entry.open_energy_meter ? backend : std::string();
  auto it = energy_meters_.find(key);
  if (it == energy_meters_.end()) {
    OpenedMeter opened;
    opened.meter = entry.open_energy_meter ? entry.open_energy_meter(&opened.why_unavailable)
                                           : open_rapl_meter(&opened.why_unavailable);
    it = energy_meters_.emplace(key, std::move(opened)).first;
  }
  *why_unavailable = it->second.why_unavailable;
  return it->second.meter.get();
}

Baseline& JobRunner::baseline_for(const Job& job) {
  const std::string key = config_hash({{"model", job.model->identity()}, {"seed", job.seed}});
  if (!baseline_ || baseline_key_ != key) {
    baseline_.reset();
    baseline_ = obtain_baseline(*job.model, job.seed, dataset_, cache_dir_, log_);
    baseline_key_ = key;
  }
  return *baseline_;
}

Model& JobRunner::compressed_for(const Job& job) {
  const std::string key = config_hash(compress_key_config(job));
  if (compressed_ && compressed_key_ == key) return *compressed_;
  compressed_.reset();
  compressed_report_ = json::object();
  const std::string previous_baseline = baseline_key_;
  Baseline& baseline = baseline_for(job);
  if (baseline_key_ != previous_baseline) prefixes_.clear();
  MethodContext context{
      dataset_, baseline.recipe,
      calibration_indices(dataset_.train, sweep_.calibration.size, sweep_.calibration.seed),
      job.seed, log_};
  context.baseline_model = &baseline.model;
  context.trained_model = [this, seed = job.seed](const std::string& source) {
    return obtain_baseline(named_model_source(source), seed, dataset_, cache_dir_, log_).model;
  };
  const std::vector<StepConfig>& steps = job.pipeline->steps;
  // Start from the longest leading run of steps an earlier job already applied.
  size_t done = 0;
  std::optional<PrefixResult> start;
  for (size_t k = steps.size(); k > 0 && !start; --k) {
    if ((start = prefixes_.find(prefix_key(job, k)))) done = k;
  }
  Model model = start ? std::move(start->model) : baseline.model;
  if (start) {
    context.report = std::move(start->report);
    fmt::print(log_, "reusing the model after step {} of {} ({})\n", done, steps.size(),
               steps[done - 1].method);
  }
  for (size_t i = done; i < steps.size(); ++i) {
    find_method(steps[i].method).apply(model, steps[i].params, context);
    // Kept after the last step too: a longer pipeline may continue from this one.
    prefixes_.store(prefix_key(job, i + 1), model, context.report);
  }
  compressed_ = std::move(model);
  compressed_report_ = std::move(context.report);
  compressed_key_ = key;
  return *compressed_;
}

double JobRunner::baseline_accuracy_on(const Job& job) {
  // With "best", the compressed model's backend depends on the model; its delta is taken
  // against the FP32 baseline on openblas, the FP32 backend the harness trains with.
  const std::string backend = job.backend == kBestBackend ? "openblas" : job.backend;
  const std::string key = baseline_key_ + "/" + backend;
  auto it = baseline_accuracy_.find(key);
  if (it == baseline_accuracy_.end()) {
    const double accuracy = backend_accuracy(baseline_for(job).model, backend, dataset_,
                                             sweep_.measure.eval_batch_size);
    it = baseline_accuracy_.emplace(key, accuracy).first;
  }
  return it->second;
}

json JobRunner::measure_latency_and_energy(Executable& executable, const std::string& backend,
                                           json& metrics) {
  const MeasureConfig& measure = sweep_.measure;
  EnergyMeter* energy_meter = nullptr;
  if (measure.wants("energy")) {
    std::string why_no_meter;
    energy_meter = energy_meter_for(backend, &why_no_meter);
    // Said in the record, so that the modelled figure that replaces it is explained.
    if (energy_meter == nullptr) metrics["energy_meter_unavailable"] = why_no_meter;
  }
  ThreadCountScope threads(measure.threads);
  const ThreadPinning pinning(measure.threads);
  json per_batch = json::array();
  for (int64_t batch_size : measure.batch_sizes) {
    const Tensor input = latency_input(dataset_, batch_size);
    // Energy is read over the single-sample runs: the figure reported is per inference.
    EnergyMeter* meter = batch_size == 1 ? energy_meter : nullptr;
    const LatencyStats stats =
        measure_latency([&] { executable.run(input); }, measure.latency, meter);
    json entry = stats.to_json();
    entry["batch_size"] = batch_size;
    entry["threads"] = measure.threads;
    entry["pinned_cpus"] = pinning.cpus();
    if (!pinning.failure().empty()) entry["pinning_failure"] = pinning.failure();
    entry["per_sample_us"] = stats.p50_us / static_cast<double>(batch_size);
    if (batch_size == 1) {
      metrics["latency_us"] = entry.at("latency_us");
      if (stats.energy_j_per_run) {
        metrics["energy_j"] = *stats.energy_j_per_run;
        metrics["energy_source"] = stats.energy_source;
      }
    }
    per_batch.push_back(std::move(entry));
  }
  return per_batch;
}

// The job's backend, or for "best" the fastest one for this model (backend_choice.h);
// either way the record names the backend and the implementation that ran.
std::unique_ptr<Executable> JobRunner::lower_for(const Job& job, const Model& model, json& record) {
  std::string name = job.backend;
  std::unique_ptr<Executable> executable;
  if (job.backend == kBestBackend) {
    ThreadCountScope threads(sweep_.measure.threads);
    BackendChoice choice = choose_fastest_backend(model, latency_input(dataset_, 1));
    record["backend_probe"] = std::move(choice.probe);
    name = choice.name;
    // Tables show the label: say which backend "best" turned out to be.
    record["labels"]["backend"] = fmt::format("best ({})", name);
    executable = std::move(choice.executable);
  } else {
    executable = find_backend(name).lower(model);
  }
  record["backend_used"] = name;
  const Backend& backend = find_backend(name);
  if (backend.variant) record["backend_variant"] = backend.variant();
  return executable;
}

void JobRunner::fill_metrics(const Job& job, json& record, json& metrics, Timings& timings) {
  const MeasureConfig& measure = sweep_.measure;
  auto start = Clock::now();
  Baseline& baseline = baseline_for(job);
  timings.baseline = seconds_since(start);

  start = Clock::now();
  Model& model = compressed_for(job);
  timings.compress = seconds_since(start);

  // One plan serves both evaluation and timing.
  const std::unique_ptr<Executable> executable = lower_for(job, model, record);

  start = Clock::now();
  if (measure.wants("accuracy")) {
    const double reference = baseline_accuracy_on(job);
    // An empty pipeline leaves the baseline untouched: its accuracy on this backend is
    // the reference itself, so it is not evaluated a second time.
    const bool identity = job.config.at("pipeline").empty();
    const double accuracy =
        identity ? reference : test_accuracy(*executable, dataset_, measure.eval_batch_size);
    metrics["accuracy"] = accuracy;
    metrics["baseline_accuracy"] = reference;
    metrics["accuracy_delta"] = accuracy - reference;
  }
  timings.evaluate = seconds_since(start);

  if (measure.wants("size")) {
    // Per parameter: the format and bytes behind size_bytes (sparse formats for pruned
    // ones); its total is stored_bytes(model), so the encodings are sized once.
    json breakdown = describe_stored_sizes(model);
    const auto size = breakdown.at("total_bytes").get<int64_t>();
    const int64_t baseline_size = fp32_bytes(baseline.model);
    metrics["size_bytes"] = size;
    metrics["baseline_size_bytes"] = baseline_size;
    metrics["compression_ratio"] = static_cast<double>(baseline_size) / static_cast<double>(size);
    metrics["parameters"] = model.parameter_count();
    metrics["size_breakdown"] = std::move(breakdown);
  }
  if (measure.wants("macs")) metrics["macs"] = model.macs_per_sample();

  start = Clock::now();
  if (measure.wants("latency"))
    metrics["latency"] =
        measure_latency_and_energy(*executable, record.at("backend_used"), metrics);
  if (measure.wants("early_exit") && find_early_exit(model)) {
    metrics["early_exit"] = early_exit_metrics(model, record.at("backend_used"), dataset_,
                                               measure.threads, compressed_report_);
  }
  timings.measure = seconds_since(start);

  if (measure.wants("energy") && !metrics.contains("energy_j")) {
    metrics["energy_j"] = modelled_energy_j(count_work(model, record.at("backend_used")));
    metrics["energy_source"] = std::string(kModelledEnergySource);
  }
}

json JobRunner::run(const Job& job) {
  json record = {{"schema", "slimbench-run-1"}, {"job_id", job.id},     {"group_id", job.group_id},
                 {"sweep", sweep_.name},        {"labels", job.labels}, {"config", job.config},
                 {"started_at", utc_now()}};
  json metrics = json::object();
  Timings timings;
  const auto start = Clock::now();
  try {
    fill_metrics(job, record, metrics, timings);
    // Set by this job's compression (or the identical one before it, reused).
    if (!compressed_report_.empty()) record["method_report"] = compressed_report_;
    record["status"] = "ok";
    record["error"] = nullptr;
  } catch (const std::exception& e) {
    // One job's failure (a backend that cannot run a layer, a diverging fine-tune) is
    // recorded and the sweep goes on; the exit code reports it at the end.
    record["status"] = "failed";
    record["error"] = e.what();
  }
  record["metrics"] = std::move(metrics);
  record["timings_s"] = {{"baseline", timings.baseline},
                         {"compress", timings.compress},
                         {"evaluate", timings.evaluate},
                         {"measure", timings.measure},
                         {"total", seconds_since(start)}};
  record["finished_at"] = utc_now();
  return record;
}

}  // namespace slim
