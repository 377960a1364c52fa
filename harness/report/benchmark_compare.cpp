#include "harness/report/benchmark_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <regex>
#include <string_view>

#include "core/error.h"
#include "harness/report/number_format.h"
#include "harness/report/rank_test.h"

namespace slim {
namespace {

// Context keys that identify the machine and build; a difference in any of them makes
// timings incomparable. (git_commit is expected to differ: that is what is compared.)
constexpr std::array<std::string_view, 6> kIdentityKeys = {
    "host_name", "cpu_model", "num_cpus", "openblas_core", "threads", "build_type"};
// What the context lines print, in this order, when present.
constexpr std::array<std::string_view, 8> kShownKeys = {"host_name",     "cpu_model", "num_cpus",
                                                        "openblas_core", "threads",   "build_type",
                                                        "git_commit",    "date"};

double median_ns(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::regex compile_filter(const std::string& filter) {
  try {
    return std::regex(filter, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    fail("--filter '{}': not a valid regular expression ({})", filter, e.what());
  }
}

std::vector<std::string> context_differences(const BenchmarkFile& base,
                                             const BenchmarkFile& current) {
  std::vector<std::string> differences;
  for (const std::string_view key : kIdentityKeys) {
    const auto in_base = base.context.find(std::string(key));
    const auto in_current = current.context.find(std::string(key));
    if (in_base == base.context.end() || in_current == current.context.end()) continue;
    if (in_base->second == in_current->second) continue;
    differences.push_back(
        fmt::format("{}: '{}' (base) vs '{}' (current)", key, in_base->second, in_current->second));
  }
  return differences;
}

std::string time_text(double ns) {
  struct Unit {
    double scale;
    const char* name;
  };
  static constexpr std::array<Unit, 4> kUnits = {{{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"}}};
  for (const Unit& unit : kUnits) {
    if (ns >= unit.scale || unit.scale == 1) {
      const double value = ns / unit.scale;
      return format_fixed(value, decimals_for_three_digits(value)) + " " + unit.name;
    }
  }
  return "?";
}

std::string p_text(double p) {
  return p < 0.001 ? "<0.001" : format_fixed(p, 3);
}

std::string verdict_text(BenchVerdict verdict) {
  switch (verdict) {
    case BenchVerdict::kRegression:
      return "REGRESSION";
    case BenchVerdict::kImprovement:
      return "improved";
    case BenchVerdict::kSame:
      break;
  }
  return "same";
}

void print_context(std::FILE* out, const char* side, const BenchmarkFile& file) {
  std::string line;
  for (const std::string_view key : kShownKeys) {
    const auto found = file.context.find(std::string(key));
    if (found == file.context.end()) continue;
    line += fmt::format("{}{}={}", line.empty() ? "" : ", ", key, found->second);
  }
  fmt::print(out, "{:<8} {}\n", side, file.file);
  fmt::print(out, "         {}\n", line.empty() ? "(no context)" : line);
  const auto warning = file.context.find("openblas_warning");
  if (warning != file.context.end()) fmt::print(out, "warning: {}: {}\n", side, warning->second);
}

// compare.py's caveat: the rank test cannot find a difference from a handful of
// repetitions, so a "same" there means "not enough data", not "no change".
void print_repetition_warning(std::FILE* out, const char* side, const BenchFilesComparison& result,
                              size_t BenchmarkComparison::*count) {
  size_t few = 0;
  size_t fewest = SIZE_MAX;
  for (const BenchmarkComparison& c : result.compared) {
    if (c.*count >= kMinBenchmarkRepetitions) continue;
    ++few;
    fewest = std::min(fewest, c.*count);
  }
  if (few == 0) return;
  fmt::print(out,
             "warning: {}: {} benchmark(s) have fewer than {} repetitions (fewest: {}); the "
             "results are unreliable: rerun with --benchmark_repetitions={} or more\n",
             side, few, kMinBenchmarkRepetitions, fewest, kMinBenchmarkRepetitions);
}

void print_columns(std::FILE* out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      // The name column is left-aligned, the numbers right-aligned.
      const std::string pad(widths[i] - row[i].size(), ' ');
      line += i == 0 ? row[i] + pad : pad + row[i];
      if (i + 1 < row.size()) line += "  ";
    }
    fmt::print(out, "{}\n", line);
  }
}

std::vector<std::string> comparison_row(const BenchmarkComparison& c) {
  return {c.name,
          fmt::format("{}/{}", c.n_base, c.n_current),
          time_text(c.median_base_ns),
          time_text(c.median_current_ns),
          format_signed(c.change * 100, 1) + "%",
          p_text(c.p_value()),
          verdict_text(c.verdict)};
}

}  // namespace

BenchmarkComparison compare_benchmark(const std::string& name, std::span<const double> base_ns,
                                      std::span<const double> current_ns,
                                      const BenchCompareOptions& options) {
  BenchmarkComparison c;
  c.name = name;
  c.n_base = base_ns.size();
  c.n_current = current_ns.size();
  c.median_base_ns = median_ns({base_ns.begin(), base_ns.end()});
  c.median_current_ns = median_ns({current_ns.begin(), current_ns.end()});
  c.change = c.median_base_ns > 0 ? c.median_current_ns / c.median_base_ns - 1 : 0;
  c.p_slower = mann_whitney_greater(base_ns, current_ns).p_value;
  c.p_faster = mann_whitney_greater(current_ns, base_ns).p_value;
  if (c.p_slower < options.alpha && c.change > options.min_change) {
    c.verdict = BenchVerdict::kRegression;
  } else if (c.p_faster < options.alpha && c.change < -options.min_change) {
    c.verdict = BenchVerdict::kImprovement;
  }
  return c;
}

size_t BenchFilesComparison::regressions() const {
  const auto slower = std::count_if(compared.begin(), compared.end(), [](const auto& c) {
    return c.verdict == BenchVerdict::kRegression;
  });
  return static_cast<size_t>(slower) + failed_in_current.size();
}

size_t BenchFilesComparison::improvements() const {
  return static_cast<size_t>(std::count_if(compared.begin(), compared.end(), [](const auto& c) {
    return c.verdict == BenchVerdict::kImprovement;
  }));
}

BenchFilesComparison compare_benchmark_files(const BenchmarkFile& base,
                                             const BenchmarkFile& current,
                                             const BenchCompareOptions& options) {
  const std::regex filter = compile_filter(options.filter);
  const auto selected = [&](const std::string& name) {
    return options.filter.empty() || std::regex_search(name, filter);
  };
  BenchFilesComparison result;
  result.context_differences = context_differences(base, current);
  for (const BenchmarkSamples& now : current.benchmarks) {
    if (!selected(now.name)) continue;
    const BenchmarkSamples* before = base.find(now.name);
    if (before == nullptr) {
      result.only_in_current.push_back(now.name);
    } else if (!before->error_message.empty()) {
      result.failed_in_base.push_back(fmt::format("{}: {}", now.name, before->error_message));
    } else if (!now.error_message.empty()) {
      result.failed_in_current.push_back(fmt::format("{}: {}", now.name, now.error_message));
    } else if (!before->real_time_ns.empty() && !now.real_time_ns.empty()) {
      result.compared.push_back(
          compare_benchmark(now.name, before->real_time_ns, now.real_time_ns, options));
    }
  }
  for (const BenchmarkSamples& before : base.benchmarks) {
    if (selected(before.name) && current.find(before.name) == nullptr) {
      result.only_in_base.push_back(before.name);
    }
  }
  if (result.compared.empty() && result.failed_in_base.empty() &&
      result.failed_in_current.empty()) {
    fail("no benchmark of {} ({} benchmarks) matches one of {} ({}) by name{}", current.file,
         current.benchmarks.size(), base.file, base.benchmarks.size(),
         options.filter.empty() ? "" : fmt::format(" and --filter '{}'", options.filter));
  }
  return result;
}

int run_bench_compare(const std::filesystem::path& base, const std::filesystem::path& current,
                      const BenchCompareOptions& options, std::FILE* out) {
  const BenchmarkFile base_file = read_benchmark_json(base);
  const BenchmarkFile current_file = read_benchmark_json(current);
  const BenchFilesComparison result = compare_benchmark_files(base_file, current_file, options);

  print_context(out, "base:", base_file);
  print_context(out, "current:", current_file);
  for (const std::string& difference : result.context_differences) {
    fmt::print(out,
               "warning: the files differ in {}; timings from different machines or builds "
               "are not comparable\n",
               difference);
  }
  print_repetition_warning(out, "base", result, &BenchmarkComparison::n_base);
  print_repetition_warning(out, "current", result, &BenchmarkComparison::n_current);

  std::vector<std::vector<std::string>> rows = {
      {"benchmark", "reps", "base median", "current median", "change", "p", "verdict"}};
  for (const BenchmarkComparison& c : result.compared) rows.push_back(comparison_row(c));
  if (!result.compared.empty()) print_columns(out, rows);
  for (const std::string& name : result.only_in_base) fmt::print(out, "only in base: {}\n", name);
  for (const std::string& name : result.only_in_current) {
    fmt::print(out, "only in current: {}\n", name);
  }
  for (const std::string& failure : result.failed_in_base) {
    fmt::print(out, "failed in base: {}\n", failure);
  }
  for (const std::string& failure : result.failed_in_current) {
    fmt::print(out, "REGRESSION, failed in current: {}\n", failure);
  }

  const size_t regressed = result.regressions();
  const size_t matched =
      result.compared.size() + result.failed_in_base.size() + result.failed_in_current.size();
  const std::string rule =
      fmt::format("one-sided Mann-Whitney U at alpha {} and a median change beyond {}%",
                  options.alpha, options.min_change * 100);
  if (regressed == 0) {
    fmt::print(out, "verdict: no regression in {} matched benchmark(s), {} improved ({})\n",
               matched, result.improvements(), rule);
  } else {
    fmt::print(out, "verdict: REGRESSION in {} of {} matched benchmark(s), {} improved ({})\n",
               regressed, matched, result.improvements(), rule);
  }
  return regressed == 0 ? 0 : 1;
}

}  // namespace slim
