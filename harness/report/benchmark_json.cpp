#include "harness/report/benchmark_json.h"

#include <fstream>
#include <iterator>
#include <map>

#include "core/error.h"
#include "core/json_path.h"

namespace slim {
namespace {

using nlohmann::json;

std::string read_benchmark_text(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    fail("cannot read {}: a directory, not a Google Benchmark JSON file", path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fail(
        "cannot read {}: no such file (expected a Google Benchmark JSON file, written with "
        "--benchmark_out=FILE --benchmark_out_format=json)",
        path.string());
  }
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) fail("cannot read {}: I/O error", path.string());
  return bytes;
}

// Context values as text; objects and lists (such as "caches") are not identity and are
// left out.
std::map<std::string, std::string> scalar_context(const json& document) {
  std::map<std::string, std::string> context;
  const auto found = document.find("context");
  if (found == document.end() || !found->is_object()) return context;
  for (const auto& [key, value] : found->items()) {
    if (value.is_string()) {
      context[key] = value.get<std::string>();
    } else if (value.is_primitive() && !value.is_null()) {
      context[key] = value.dump();
    }
  }
  return context;
}

const json& require_member(const json& entry, const JsonPath& path, std::string_view key) {
  const auto found = entry.find(key);
  if (found == entry.end()) path.fail("missing \"{}\"", key);
  return *found;
}

std::string require_string(const json& entry, const JsonPath& path, std::string_view key) {
  const json& value = require_member(entry, path, key);
  if (!value.is_string()) (path / key).fail("expected a string, got {}", json_type_name(value));
  return value.get<std::string>();
}

// Aggregates (mean, median, stddev, cv, BigO) summarise the repetitions the test needs
// one by one. Old files lack run_type; their aggregates still carry aggregate_name.
bool is_aggregate(const json& entry, const JsonPath& path) {
  const auto run_type = entry.find("run_type");
  if (run_type == entry.end()) return entry.contains("aggregate_name");
  if (!run_type->is_string()) {
    (path / "run_type").fail("expected a string, got {}", json_type_name(*run_type));
  }
  return *run_type == "aggregate";
}

bool reported_error(const json& entry) {
  const auto flag = entry.find("error_occurred");
  return flag != entry.end() && flag->is_boolean() && flag->get<bool>();
}

double real_time_ns(const json& entry, const JsonPath& path) {
  const json& time = require_member(entry, path, "real_time");
  if (!time.is_number())
    (path / "real_time").fail("expected a number, got {}", json_type_name(time));
  const std::string unit = require_string(entry, path, "time_unit");
  const double scale = nanoseconds_per_unit(unit);
  if (scale == 0)
    (path / "time_unit").fail("unknown time unit \"{}\" (expected ns, us, ms or s)", unit);
  return time.get<double>() * scale;
}

BenchmarkSamples& samples_of(BenchmarkFile& file, std::map<std::string, size_t>& index,
                             const std::string& name) {
  const auto [where, added] = index.try_emplace(name, file.benchmarks.size());
  if (added) file.benchmarks.push_back({name, {}, ""});
  return file.benchmarks[where->second];
}

}  // namespace

const BenchmarkSamples* BenchmarkFile::find(const std::string& name) const {
  for (const BenchmarkSamples& samples : benchmarks) {
    if (samples.name == name) return &samples;
  }
  return nullptr;
}

double nanoseconds_per_unit(const std::string& time_unit) {
  if (time_unit == "ns") return 1;
  if (time_unit == "us") return 1e3;
  if (time_unit == "ms") return 1e6;
  if (time_unit == "s") return 1e9;
  return 0;
}

BenchmarkFile parse_benchmark_json(const json& document, const std::string& file) {
  const JsonPath root(file);
  if (!document.is_object()) {
    root.fail("expected a Google Benchmark JSON object (--benchmark_out_format=json), got {}",
              json_type_name(document));
  }
  const JsonPath list_path = root / "benchmarks";
  const auto list = document.find("benchmarks");
  if (list == document.end() || !list->is_array()) {
    list_path.fail(
        "expected the list of benchmark runs, got {}; is this a Google Benchmark JSON file "
        "(--benchmark_out_format=json)?",
        list == document.end() ? std::string("nothing") : json_type_name(*list));
  }

  BenchmarkFile result;
  result.file = file;
  result.context = scalar_context(document);
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    const JsonPath path = list_path / i;
    if (!entry.is_object()) path.fail("expected an object, got {}", json_type_name(entry));
    const std::string name = require_string(entry, path, "name");
    if (is_aggregate(entry, path)) {
      ++result.aggregates_ignored;
      continue;
    }
    BenchmarkSamples& samples = samples_of(result, index, name);
    if (reported_error(entry)) {
      // A failed repetition has no meaningful time; the message says why.
      if (samples.error_message.empty()) {
        samples.error_message = entry.value("error_message", std::string("error_occurred"));
      }
      continue;
    }
    samples.real_time_ns.push_back(real_time_ns(entry, path));
  }
  if (result.benchmarks.empty() && result.aggregates_ignored > 0) {
    list_path.fail(
        "only aggregate entries (mean, median, ...); the rank test needs every repetition: "
        "rerun without --benchmark_report_aggregates_only");
  }
  return result;
}

BenchmarkFile read_benchmark_json(const std::filesystem::path& path) {
  const std::string text = read_benchmark_text(path);
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    fail("{}: not valid JSON: {}", path.string(), json_parse_error_text(e));
  }
  return parse_benchmark_json(document, path.string());
}

}  // namespace slim
