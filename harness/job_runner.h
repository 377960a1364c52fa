// JobRunner: turns one Job into one record (a line of runs.jsonl).
//
// For a job it obtains the trained baseline, runs the pipeline's method steps on a copy,
// lowers the result to the job's backend, and measures: accuracy on the test split (run
// on that backend, like its FP32 baseline, so the delta compares like with like), the
// stored size, MACs, latency per batch size and energy. Methods never time anything;
// this is the only place that measures.
//
// Consecutive jobs share work: the baseline per (model, seed) and the compressed model
// per (model, seed, pipeline) are kept for the next job, which plan_jobs() orders to be
// the same model on the next backend; the models after each leading run of steps are
// kept too (step_prefix_cache.h), for pipelines that begin with the same steps.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "datasets/dataset.h"
#include "harness/baseline_cache.h"
#include "harness/job.h"
#include "harness/measure/energy.h"
#include "harness/step_prefix_cache.h"
#include "harness/sweep.h"

namespace slim {

class Executable;
class Model;

class JobRunner {
 public:
  JobRunner(const Sweep& sweep, const Dataset& dataset, std::filesystem::path cache_dir,
            std::FILE* log);

  // Never throws for a failing job: the record says "failed" and carries the error.
  nlohmann::json run(const Job& job);

 private:
  struct Timings {
    double baseline = 0, compress = 0, evaluate = 0, measure = 0;
  };
  std::unique_ptr<Executable> lower_for(const Job& job, const Model& model, nlohmann::json& record);
  void fill_metrics(const Job& job, nlohmann::json& record, nlohmann::json& metrics,
                    Timings& timings);
  Baseline& baseline_for(const Job& job);
  Model& compressed_for(const Job& job);
  double baseline_accuracy_on(const Job& job);
  nlohmann::json measure_latency_and_energy(Executable& executable, const std::string& backend,
                                            nlohmann::json& metrics);
  EnergyMeter* energy_meter_for(const std::string& backend, std::string* why_unavailable);

  const Sweep& sweep_;
  const Dataset& dataset_;
  std::filesystem::path cache_dir_;
  std::FILE* log_;
  // Opened once per counter, on first use: the host's (RAPL) for CPU backends, and each
  // device backend's own (NVML for cuda). Null, with the reason, when unreadable.
  struct OpenedMeter {
    std::unique_ptr<EnergyMeter> meter;
    std::string why_unavailable;
  };
  std::map<std::string, OpenedMeter> energy_meters_;  // by backend name; "" is the host

  std::string baseline_key_;
  std::optional<Baseline> baseline_;
  std::string compressed_key_;
  std::optional<Model> compressed_;
  nlohmann::json compressed_report_ = nlohmann::json::object();
  StepPrefixCache prefixes_;  // shorter pipelines' models, for pipelines that extend them
  std::map<std::string, double> baseline_accuracy_;  // by baseline key + backend
};

// Top-1 accuracy of `model` on the test split, executed by `backend`.
double backend_accuracy(const Model& model, const std::string& backend, const Dataset& dataset,
                        int64_t batch_size);

}  // namespace slim
