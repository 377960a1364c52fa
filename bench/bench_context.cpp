#include "bench/bench_context.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "core/gemm.h"
#include "harness/measure/cpu_info.h"
#include "harness/measure/git_state.h"

namespace slim::bench {
namespace {

std::string json_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

void add_bench_context(int threads) {
  benchmark::AddCustomContext("cpu_model", cpu_model_name());
  benchmark::AddCustomContext("threads", std::to_string(threads));
  const std::string core = openblas_core_name();
  benchmark::AddCustomContext("openblas_core", core);
  if (openblas_core_is_fallback(core)) {
    const std::string warning = fmt::format(
        "OpenBLAS uses the generic '{}' core, whose SGEMM is about 7x slower; "
        "these FP32 timings are not representative of this CPU",
        core);
    benchmark::AddCustomContext("openblas_warning", warning);
    fmt::print(stderr, "warning: {}\n", warning);
  }
  benchmark::AddCustomContext("build_type", SLIMBENCH_BUILD_TYPE);
  const nlohmann::json git = git_state(SLIMBENCH_SOURCE_DIR);
  benchmark::AddCustomContext("git_commit", json_text(git.value("commit", "unknown")));
  benchmark::AddCustomContext("git_dirty",
                              json_text(git.value("dirty", nlohmann::json("unknown"))));
}

}  // namespace slim::bench
