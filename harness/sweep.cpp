#include "harness/sweep.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>

#include "core/sha256.h"
#include "datasets/dataset.h"
#include "harness/backend_choice.h"
#include "harness/grid_expansion.h"
#include "harness/json_fields.h"
#include "harness/metric_table.h"
#include "kernels/backend.h"
#include "methods/registry.h"
#include "models/checkpoint.h"
#include "models/zoo.h"

namespace slim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string> kModelKeys = {"zoo", "recipe", "zip", "checkpoint", "name"};
const std::vector<std::string> kPipelineKeys = {"name", "steps", "backends"};
const std::vector<std::string> kStepKeys = {"method", "params", "zip"};
const std::vector<std::string> kCalibrationKeys = {"size", "seed"};
const std::vector<std::string> kLatencyKeys = {"warmup_runs", "min_time_s", "min_runs",
                                               "max_time_s", "max_samples_kept"};

constexpr int64_t kMaxSeed = std::numeric_limits<int64_t>::max();

// "k=v k=v" over the keys a file set explicitly, for table labels.
std::string assignments_label(const json& given, const std::string& prefix) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : given.items()) {
    parts.push_back(prefix + key + "=" +
                    (value.is_string() ? value.get<std::string>() : value.dump()));
  }
  return fmt::format("{}", fmt::join(parts, " "));
}

std::string read_sweep_name(const json& document, const JsonPath& root) {
  const std::string name = read_string(require_key(document, "name", root), root / "name");
  static const std::regex kSafeName("[A-Za-z0-9][A-Za-z0-9._-]*");
  if (!std::regex_match(name, kSafeName)) {
    (root / "name")
        .fail("'{}' must be letters, digits, '.', '_' or '-' (it names a directory)", name);
  }
  return name;
}

std::vector<uint64_t> read_seeds(const json& document, const JsonPath& root) {
  const bool has_seeds = document.contains("seeds"), has_repeats = document.contains("repeats");
  if (has_seeds && has_repeats) (root / "repeats").fail("give either seeds or repeats, not both");
  std::vector<uint64_t> seeds;
  if (has_seeds) {
    seeds = read_list<uint64_t>(document.at("seeds"), root / "seeds",
                                [](const json& v, const JsonPath& at) {
                                  return static_cast<uint64_t>(read_int(v, at, 0, kMaxSeed));
                                });
    std::vector<uint64_t> sorted = seeds;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      (root / "seeds").fail("seeds repeat; each seed must appear once");
    }
  } else if (has_repeats) {
    const int64_t repeats = read_int(document.at("repeats"), root / "repeats", 1, 1000);
    for (int64_t s = 0; s < repeats; ++s) seeds.push_back(static_cast<uint64_t>(s));
  } else {
    seeds = {0};
  }
  return seeds;
}

// A zoo model with its recipe, expanded over list-valued recipe fields.
std::vector<ModelSource> read_zoo_model(const json& entry, const JsonPath& at) {
  const std::string zoo = read_choice(entry.at("zoo"), at / "zoo", model_names(), "model");
  const ZooEntry& zoo_entry = find_model(zoo);
  json recipe = entry.value("recipe", json::object());
  require_object(recipe, at / "recipe");
  if (recipe.contains("seed")) {
    (at / "recipe" / "seed").fail("the seed comes from the sweep; set /seeds or /repeats");
  }
  const ZipGroups zip =
      entry.contains("zip") ? parse_zip_groups(entry.at("zip"), recipe, at / "zip") : ZipGroups{};
  const std::vector<json> combinations = expand_grid(recipe, zip, at / "recipe");
  std::vector<ModelSource> sources;
  for (const json& combination : combinations) {
    ModelSource source;
    source.zoo = zoo;
    source.recipe =
        Recipe::from_json(combination, zoo_entry.default_recipe(), (at / "recipe").str());
    // Label by the swept fields only: fixed overrides are the same in every row.
    json swept = json::object();
    for (const auto& [key, value] : recipe.items()) {
      if (value.is_array()) swept[key] = combination.at(key);
    }
    source.label = swept.empty() ? zoo : zoo + " " + assignments_label(swept, "");
    sources.push_back(std::move(source));
  }
  return sources;
}

ModelSource read_checkpoint_model(const json& entry, const JsonPath& at) {
  for (const char* key : {"recipe", "zip"}) {
    if (entry.contains(key)) (at / key).fail("'{}' applies to zoo models, not checkpoints", key);
  }
  ModelSource source;
  source.checkpoint = read_string(entry.at("checkpoint"), at / "checkpoint");
  if (!fs::is_regular_file(source.checkpoint)) {
    (at / "checkpoint").fail("checkpoint '{}' does not exist", source.checkpoint);
  }
  try {
    LoadedCheckpoint loaded = load_checkpoint(source.checkpoint);
    source.recipe = Recipe::from_json(loaded.info.recipe, Recipe{}, source.checkpoint);
    source.checkpoint_sample_shape = loaded.model.sample_shape();
    source.checkpoint_classes = loaded.model.num_classes();
  } catch (const UserError& e) {
    (at / "checkpoint").fail("{}", e.what());
  }
  source.checkpoint_sha256 = sha256_file(source.checkpoint);
  source.pointer = at.pointer();
  source.label = entry.contains("name") ? read_string(entry.at("name"), at / "name")
                                        : fs::path(source.checkpoint).stem().string();
  return source;
}

std::vector<ModelSource> read_models(const json& document, const JsonPath& root) {
  const JsonPath at = root / "models";
  const json& models = require_key(document, "models", root);
  if (!models.is_array()) at.fail("expected a list of models, got {}", json_type_name(models));
  if (models.empty()) at.fail("an empty list expands to no jobs; give at least one model");
  std::vector<ModelSource> sources;
  for (size_t i = 0; i < models.size(); ++i) {
    json entry = models[i].is_string() ? json{{"zoo", models[i]}} : models[i];
    check_known_keys(entry, kModelKeys, at / i);
    const bool zoo = entry.contains("zoo"), checkpoint = entry.contains("checkpoint");
    if (zoo == checkpoint) (at / i).fail("give exactly one of 'zoo' or 'checkpoint'");
    if (zoo) {
      for (ModelSource& source : read_zoo_model(entry, at / i))
        sources.push_back(std::move(source));
    } else {
      sources.push_back(read_checkpoint_model(entry, at / i));
    }
  }
  return sources;
}

CalibrationConfig read_calibration(const json& document, const JsonPath& root) {
  CalibrationConfig calibration;
  if (!document.contains("calibration")) return calibration;
  const JsonPath at = root / "calibration";
  const json& object = document.at("calibration");
  check_known_keys(object, kCalibrationKeys, at);
  if (object.contains("size"))
    calibration.size = read_int(object.at("size"), at / "size", 1, 10'000'000);
  if (object.contains("seed")) {
    calibration.seed = static_cast<uint64_t>(read_int(object.at("seed"), at / "seed", 0, kMaxSeed));
  }
  return calibration;
}

// Checks every given value (each element of a list separately, at its own pointer)
// before expansion, so errors point at the exact element.
void check_step_params(const Method& method, const json& params, const JsonPath& at) {
  require_object(params, at);
  for (const auto& [key, value] : params.items()) {
    const ParamSpec& spec = find_param(method.params, key, at / key);
    if (value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) check_param_value(spec, value[i], at / key / i);
    } else {
      check_param_value(spec, value, at / key);
    }
  }
}

std::vector<StepConfig> expand_step(const json& step, const JsonPath& at) {
  check_known_keys(step, kStepKeys, at);
  const std::string name =
      read_choice(require_key(step, "method", at), at / "method", method_names(), "method");
  const Method& method = find_method(name);
  const json params = step.value("params", json::object());
  check_step_params(method, params, at / "params");
  const ZipGroups zip =
      step.contains("zip") ? parse_zip_groups(step.at("zip"), params, at / "zip") : ZipGroups{};
  std::vector<StepConfig> steps;
  for (const json& combination : expand_grid(params, zip, at / "params")) {
    json resolved = resolve_params(method.params, combination, at / "params");
    if (method.check_params) method.check_params(resolved, at / "params");
    steps.push_back({name, std::move(resolved), combination});
  }
  return steps;
}

std::string pipeline_params_label(const std::vector<StepConfig>& steps) {
  size_t steps_with_params = 0;
  for (const StepConfig& step : steps) steps_with_params += !step.given.empty();
  std::vector<std::string> parts;
  for (const StepConfig& step : steps) {
    if (step.given.empty()) continue;
    parts.push_back(
        assignments_label(step.given, steps_with_params > 1 ? step.method + "." : std::string()));
  }
  return fmt::format("{}", fmt::join(parts, " "));
}

// A list of backend names that can run here, or "best" (harness/backend_choice.h).
std::vector<std::string> read_backends(const json& value, const JsonPath& at) {
  std::vector<std::string> choices = backend_names();
  choices.emplace_back(kBestBackend);
  return read_list<std::string>(value, at, [&choices](const json& v, const JsonPath& item) {
    const std::string name = read_choice(v, item, choices, "backend");
    if (name == kBestBackend) return name;
    if (const std::string why = find_backend(name).unavailable_reason(); !why.empty()) {
      item.fail("backend '{}' cannot run on this machine: {}", name, why);
    }
    return name;
  });
}

// The cartesian product of the steps' expansions, in step order.
std::vector<PipelineConfig> expand_pipeline(const json& pipeline, const JsonPath& at) {
  check_known_keys(pipeline, kPipelineKeys, at);
  const std::string name = read_string(require_key(pipeline, "name", at), at / "name");
  const json& steps = require_key(pipeline, "steps", at);
  if (!steps.is_array())
    (at / "steps").fail("expected a list of steps, got {}", json_type_name(steps));
  std::vector<std::vector<StepConfig>> instances = {{}};
  for (size_t s = 0; s < steps.size(); ++s) {
    const std::vector<StepConfig> options = expand_step(steps[s], at / "steps" / s);
    std::vector<std::vector<StepConfig>> next;
    for (const auto& prefix : instances) {
      for (const StepConfig& option : options) {
        next.push_back(prefix);
        next.back().push_back(option);
      }
    }
    instances = std::move(next);
  }
  std::optional<std::vector<std::string>> backends;
  if (pipeline.contains("backends"))
    backends = read_backends(pipeline.at("backends"), at / "backends");
  std::vector<PipelineConfig> pipelines;
  for (auto& instance : instances) {
    PipelineConfig config{name, std::move(instance), "", at.pointer(), backends};
    config.params_label = pipeline_params_label(config.steps);
    pipelines.push_back(std::move(config));
  }
  return pipelines;
}

std::vector<PipelineConfig> read_pipelines(const json& document, const JsonPath& root) {
  const JsonPath at = root / "pipelines";
  const json& pipelines = require_key(document, "pipelines", root);
  if (!pipelines.is_array())
    at.fail("expected a list of pipelines, got {}", json_type_name(pipelines));
  if (pipelines.empty()) at.fail("an empty list expands to no jobs; give at least one pipeline");
  std::vector<PipelineConfig> expanded;
  for (size_t p = 0; p < pipelines.size(); ++p) {
    for (PipelineConfig& config : expand_pipeline(pipelines[p], at / p)) {
      expanded.push_back(std::move(config));
    }
  }
  return expanded;
}

LatencyOptions read_latency(const json& object, const JsonPath& at) {
  check_known_keys(object, kLatencyKeys, at);
  LatencyOptions options;
  if (object.contains("warmup_runs")) {
    options.warmup_runs =
        static_cast<int>(read_int(object.at("warmup_runs"), at / "warmup_runs", 0, 1'000'000));
  }
  if (object.contains("min_runs")) {
    options.min_runs =
        static_cast<int>(read_int(object.at("min_runs"), at / "min_runs", 1, 100'000'000));
  }
  if (object.contains("min_time_s")) {
    options.min_time_s = read_number(object.at("min_time_s"), at / "min_time_s", 0.0, 3600.0);
  }
  if (object.contains("max_time_s")) {
    options.max_time_s = read_number(object.at("max_time_s"), at / "max_time_s", 0.001, 86400.0);
  }
  if (object.contains("max_samples_kept")) {
    options.max_samples_kept = static_cast<int>(
        read_int(object.at("max_samples_kept"), at / "max_samples_kept", 9, 1'000'000));
  }
  if (options.max_time_s < options.min_time_s) {
    (at / "max_time_s")
        .fail("max_time_s ({}) is below min_time_s ({})", options.max_time_s, options.min_time_s);
  }
  return options;
}

MeasureConfig read_measure(const json& document, const JsonPath& root) {
  MeasureConfig measure;
  measure.metrics = metric_names();
  if (document.contains("backends")) {
    measure.backends = read_backends(document.at("backends"), root / "backends");
  }
  if (document.contains("batch_sizes")) {
    measure.batch_sizes = read_list<int64_t>(
        document.at("batch_sizes"), root / "batch_sizes",
        [](const json& v, const JsonPath& at) { return read_int(v, at, 1, 65536); });
  }
  if (document.contains("metrics")) {
    measure.metrics = read_list<std::string>(document.at("metrics"), root / "metrics",
                                             [](const json& v, const JsonPath& at) {
                                               return read_choice(v, at, metric_names(), "metric");
                                             });
  }
  if (document.contains("latency"))
    measure.latency = read_latency(document.at("latency"), root / "latency");
  if (document.contains("threads")) {
    measure.threads = static_cast<int>(read_int(document.at("threads"), root / "threads", 1, 1024));
  }
  if (document.contains("eval_batch_size")) {
    measure.eval_batch_size =
        read_int(document.at("eval_batch_size"), root / "eval_batch_size", 1, 100'000);
  }
  return measure;
}

// Tries to create (and removes) a file where the run directory will go, so that a
// results directory we cannot write fails now, not after an hour of training. Creating
// a file is the only test that holds for root, whom access(2) never refuses.
void check_results_dir_writable(const std::string& dir, const std::string& where) {
  fs::path probe_dir = fs::absolute(dir);
  while (!fs::exists(probe_dir) && probe_dir.has_parent_path() &&
         probe_dir != probe_dir.parent_path()) {
    probe_dir = probe_dir.parent_path();
  }
  if (!fs::is_directory(probe_dir)) {
    fail("{}: cannot create results directory '{}': '{}' is not a directory", where, dir,
         probe_dir.string());
  }
  std::string probe = (probe_dir / ".slimbench-write-probe-XXXXXX").string();
  const int fd = mkstemp(probe.data());
  if (fd < 0) {
    fail("{}: results directory '{}' is not writable ({}: {})", where, dir, probe_dir.string(),
         std::strerror(errno));
  }
  close(fd);
  unlink(probe.c_str());
}

}  // namespace

const std::vector<std::string>& sweep_keys() {
  static const std::vector<std::string> keys = {
      "name",    "description", "dataset",   "seeds",           "repeats",
      "models",  "calibration", "pipelines", "backends",        "batch_sizes",
      "metrics", "latency",     "threads",   "eval_batch_size", "results_dir"};
  return keys;
}

json ModelSource::identity() const {
  if (!checkpoint.empty()) return {{"checkpoint_sha256", checkpoint_sha256}};
  json recipe_json = recipe.to_json();
  recipe_json.erase("seed");  // the job's seed sits at the top of its config
  return {{"zoo", zoo}, {"recipe", recipe_json}};
}

bool MeasureConfig::wants(std::string_view metric) const {
  return std::find(metrics.begin(), metrics.end(), metric) != metrics.end();
}

json MeasureConfig::to_json() const {
  return {{"batch_sizes", batch_sizes},
          {"metrics", metrics},
          {"threads", threads},
          {"eval_batch_size", eval_batch_size},
          {"latency",
           {{"warmup_runs", latency.warmup_runs},
            {"min_time_s", latency.min_time_s},
            {"min_runs", latency.min_runs},
            {"max_time_s", latency.max_time_s},
            {"max_samples_kept", latency.max_samples_kept}}}};
}

Sweep load_sweep(const std::string& file, const std::optional<std::string>& results_dir_override) {
  const JsonPath root(file);
  Sweep sweep;
  sweep.file = file;
  sweep.document = read_json_document(file);
  check_known_keys(sweep.document, sweep_keys(), root);
  const json& d = sweep.document;
  sweep.name = read_sweep_name(d, root);
  if (d.contains("description"))
    sweep.description = read_string(d.at("description"), root / "description");
  if (d.contains("dataset")) sweep.dataset = read_string(d.at("dataset"), root / "dataset");
  sweep.seeds = read_seeds(d, root);
  sweep.models = read_models(d, root);
  sweep.calibration = read_calibration(d, root);
  sweep.pipelines = read_pipelines(d, root);
  sweep.measure = read_measure(d, root);
  if (d.contains("results_dir"))
    sweep.results_dir = read_string(d.at("results_dir"), root / "results_dir");
  if (results_dir_override) sweep.results_dir = *results_dir_override;
  check_results_dir_writable(sweep.results_dir, results_dir_override
                                                    ? std::string("--results-dir")
                                                    : (root / "results_dir").str());
  return sweep;
}

void validate_against_dataset(const Sweep& sweep, const Dataset& dataset) {
  const JsonPath root(sweep.file);
  if (sweep.calibration.size > dataset.train.count) {
    (root / "calibration" / "size")
        .fail("{} exceeds the {} training samples of {}", sweep.calibration.size,
              dataset.train.count, dataset.name);
  }
  for (const ModelSource& source : sweep.models) {
    if (source.checkpoint.empty()) continue;
    if (source.checkpoint_sample_shape != dataset.sample_shape ||
        source.checkpoint_classes != dataset.num_classes) {
      JsonPath(sweep.file, source.pointer + "/checkpoint")
          .fail("checkpoint '{}' takes {} classes of shape {}, but {} has {} of {}",
                source.checkpoint, source.checkpoint_classes,
                fmt::join(source.checkpoint_sample_shape, "x"), dataset.name, dataset.num_classes,
                fmt::join(dataset.sample_shape, "x"));
    }
  }
}

}  // namespace slim
