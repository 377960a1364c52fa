// collect_environment: every key env.json promises, the OpenBLAS record, and the
// /proc/cpuinfo parsers on sample text.
#include "harness/measure/environment.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <sstream>

#include "core/gemm.h"
#include "harness/measure/git_state.h"

namespace slim {
namespace {

TEST_CASE("environment JSON has every promised key", "[measure][environment]") {
  EnvironmentOptions options;
  options.threads = 3;
  options.dataset_files = {{"test-images", "/data/t10k-images-idx3-ubyte.gz", "ab12"}};
  const nlohmann::json env = collect_environment(options);
  std::cout << env.dump(2) << '\n';

  for (const char* key :
       {"slimbench_version", "collected_at", "git", "compiler", "cpu", "os", "hostname", "threads",
        "env", "openblas", "libraries", "cuda", "datasets"}) {
    INFO("key " << key);
    CHECK(env.contains(key));
  }
  for (const char* key : {"commit", "dirty", "describe"}) CHECK(env["git"].contains(key));
  for (const char* key : {"id", "version", "cxx_flags", "build_type"}) {
    CHECK(env["compiler"].contains(key));
  }
  for (const char* key : {"model", "logical_cpus", "isa_flags"}) CHECK(env["cpu"].contains(key));
  for (const char* key : {"eigen", "nlohmann_json", "fmt", "zlib", "openssl"}) {
    CHECK(env["libraries"].contains(key));
  }
  CHECK(env["cuda"].contains("built"));
  CHECK(env["threads"]["requested"] == 3);
  CHECK(env["slimbench_version"] == SLIMBENCH_VERSION);
}

TEST_CASE("environment records the OpenBLAS core and warns on a fallback",
          "[measure][environment]") {
  const nlohmann::json openblas = collect_environment({})["openblas"];
  INFO(openblas.dump(2));
  const std::string core = openblas["corename"];
  CHECK_FALSE(core.empty());
  CHECK_FALSE(openblas["config"].get<std::string>().empty());
  CHECK(openblas.contains("warning") == openblas["fallback"].get<bool>());
}

// The backend variant of every openblas record: a forced core says so, a fallback warns.
// (Pure text: the tests never set OPENBLAS_CORETYPE, which OpenBLAS reads at load time.)
TEST_CASE("the OpenBLAS core description names a forced core and warns on a fallback",
          "[measure][environment]") {
  CHECK(describe_openblas_core("Cooperlake", "") == "OpenBLAS core Cooperlake");
  CHECK(describe_openblas_core("Haswell", "Haswell") ==
        "OpenBLAS core Haswell (chosen by OPENBLAS_CORETYPE=Haswell in the environment)");
  CHECK_THAT(describe_openblas_core("Prescott", ""), Catch::Contains("WARNING"));
  const nlohmann::json openblas = collect_environment({})["openblas"];
  const std::string forced = openblas_forced_core();
  CHECK(openblas["forced_by_environment"] ==
        (forced.empty() ? nlohmann::json(nullptr) : nlohmann::json(forced)));
}

TEST_CASE("environment records dataset files and a UTC timestamp", "[measure][environment]") {
  EnvironmentOptions options;
  options.dataset_files = {{"train-images", "/a", "11"}, {"train-labels", "/b", "22"}};
  const nlohmann::json env = collect_environment(options);
  INFO(env["datasets"].dump() << " " << env["collected_at"]);
  REQUIRE(env["datasets"].size() == 2);
  CHECK(env["datasets"][1]["role"] == "train-labels");
  CHECK(env["datasets"][1]["path"] == "/b");
  CHECK(env["datasets"][1]["sha256"] == "22");
  const std::regex iso_utc(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  CHECK(std::regex_match(env["collected_at"].get<std::string>(), iso_utc));
}

TEST_CASE("environment git commit is a hash or unknown", "[measure][environment]") {
  const nlohmann::json git = collect_environment({})["git"];
  INFO(git.dump());
  const std::string commit = git["commit"];
  CHECK((commit == "unknown" || std::regex_match(commit, std::regex("[0-9a-f]{40}"))));
  CHECK((git["dirty"].is_boolean() || git["dirty"] == "unknown"));
}

// A bundle run away from its source tree states its commit in the environment.
TEST_CASE("git state comes from SLIMBENCH_GIT_COMMIT when it is set", "[measure][environment]") {
  const std::string sha(40, 'a');
  ::setenv(kGitCommitEnv, (sha + "-dirty").c_str(), 1);
  const nlohmann::json dirty = git_state("/nonexistent");
  ::setenv(kGitCommitEnv, sha.c_str(), 1);
  const nlohmann::json clean = git_state("/nonexistent");
  ::unsetenv(kGitCommitEnv);
  const nlohmann::json asked = git_state("/nonexistent");
  CHECK(dirty["commit"] == sha);
  CHECK(dirty["dirty"] == true);
  CHECK(dirty["source"] == "SLIMBENCH_GIT_COMMIT");
  CHECK(clean["commit"] == sha);
  CHECK(clean["dirty"] == false);
  CHECK(asked["source"] == "git");
  CHECK(asked["commit"] == "unknown");  // no repository there
}

TEST_CASE("cpuinfo parsers read model name and the relevant flags", "[measure][environment]") {
  const std::string sample =
      "processor\t: 0\n"
      "model name\t: Example CPU @ 2.00GHz\n"
      "flags\t\t: fpu sse4_2 avx avx2 avx512f avx512_vnni amx_int8 amx_tile hypervisor\n"
      "processor\t: 1\n"
      "model name\t: Another CPU\n";
  std::istringstream model_in(sample);
  CHECK(cpuinfo_field(model_in, "model name") == "Example CPU @ 2.00GHz");
  std::istringstream flags_in(sample);
  const std::vector<std::string> flags = relevant_isa_flags(cpuinfo_field(flags_in, "flags"));
  // In the fixed order, not the file's; irrelevant flags dropped.
  CHECK(flags == std::vector<std::string>{"sse4_2", "avx", "avx2", "avx512f", "avx512_vnni",
                                          "amx_tile", "amx_int8"});
  std::istringstream empty_in("");
  CHECK(cpuinfo_field(empty_in, "model name").empty());
  std::cout << "this CPU: " << cpu_model_name() << ", " << cpu_isa_flags().size()
            << " relevant ISA flags\n";
}

}  // namespace
}  // namespace slim
