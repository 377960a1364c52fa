#include "harness/job.h"

#include <fmt/format.h>

#include <map>
#include <regex>

#include "core/error.h"
#include "core/sha256.h"

namespace slim {
namespace {

using nlohmann::json;

json pipeline_identity(const PipelineConfig& pipeline) {
  json steps = json::array();
  for (const StepConfig& step : pipeline.steps) {
    // "fp32" is the identity: a pipeline of it and an empty pipeline are the same job.
    if (step.method == "fp32") continue;
    steps.push_back({{"method", step.method}, {"params", step.params}});
  }
  return steps;
}

json job_config(const Sweep& sweep, const ModelSource& model, uint64_t seed,
                const PipelineConfig& pipeline, const std::string& backend) {
  return {{"code_version", SLIMBENCH_VERSION},
          {"dataset", sweep.dataset},
          {"model", model.identity()},
          {"seed", seed},
          {"calibration", {{"size", sweep.calibration.size}, {"seed", sweep.calibration.seed}}},
          {"pipeline", pipeline_identity(pipeline)},
          {"backend", backend},
          {"measure", sweep.measure.to_json()}};
}

json job_labels(const Sweep& sweep, const ModelSource& model, uint64_t seed,
                const PipelineConfig& pipeline, const std::string& backend) {
  return {{"model", model.label},      {"dataset", sweep.dataset},
          {"pipeline", pipeline.name}, {"params", pipeline.params_label},
          {"backend", backend},        {"seed", seed}};
}

}  // namespace

std::string config_hash(const json& config) {
  return sha256_hex(config.dump()).substr(0, 16);
}

std::string Job::summary() const {
  std::string text =
      labels.at("model").get<std::string>() + " | " + labels.at("pipeline").get<std::string>();
  if (const auto& params = labels.at("params").get_ref<const std::string&>(); !params.empty()) {
    text += " " + params;
  }
  return fmt::format("{} | {} | seed {}", text, backend, seed);
}

std::vector<Job> plan_jobs(const Sweep& sweep) {
  std::vector<Job> jobs;
  std::map<std::string, std::string> first_pointer_of_id;
  for (const ModelSource& model : sweep.models) {
    for (uint64_t seed : sweep.seeds) {
      for (const PipelineConfig& pipeline : sweep.pipelines) {
        for (const std::string& backend : pipeline.backends.value_or(sweep.measure.backends)) {
          Job job;
          job.model = &model;
          job.seed = seed;
          job.pipeline = &pipeline;
          job.backend = backend;
          job.config = job_config(sweep, model, seed, pipeline, backend);
          job.labels = job_labels(sweep, model, seed, pipeline, backend);
          job.id = config_hash(job.config);
          json without_seed = job.config;
          without_seed.erase("seed");
          job.group_id = config_hash(without_seed);
          const auto [it, inserted] = first_pointer_of_id.emplace(job.id, pipeline.pointer);
          if (!inserted) {
            fail(
                "{}: {}: expands to the same job as {} (identical model, steps and backend); "
                "remove one",
                sweep.file, pipeline.pointer, it->second);
          }
          jobs.push_back(std::move(job));
        }
      }
    }
  }
  return jobs;
}

Shard parse_shard(const std::string& text) {
  static const std::regex kShard("([0-9]{1,6})/([0-9]{1,6})");
  std::smatch match;
  if (std::regex_match(text, match, kShard)) {
    const int index = std::stoi(match[1].str()), count = std::stoi(match[2].str());
    if (count >= 1 && index < count) return {index, count};
  }
  fail("--shard: expected i/N with 0 <= i < N (e.g. 0/4), got '{}'", text);
}

std::vector<Job> select_jobs(const std::vector<Job>& jobs, const std::optional<std::string>& filter,
                             const Shard& shard, size_t* matched_count) {
  std::optional<std::regex> pattern;
  if (filter) {
    try {
      pattern.emplace(*filter);
    } catch (const std::regex_error& e) {
      fail("--filter: '{}' is not a valid regular expression: {}", *filter, e.what());
    }
  }
  std::vector<Job> selected;
  size_t matched = 0;
  for (const Job& job : jobs) {
    if (pattern && !std::regex_search(job.id + " " + job.summary(), *pattern)) continue;
    if (matched++ % static_cast<size_t>(shard.count) == static_cast<size_t>(shard.index)) {
      selected.push_back(job);
    }
  }
  if (matched_count) *matched_count = matched;
  return selected;
}

}  // namespace slim
