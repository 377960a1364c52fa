#include "harness/job.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/error.h"
#include "harness/sweep.h"
#include "tests/io/temp_dir.h"

namespace slim {
namespace {

using nlohmann::json;

json base_sweep() {
  return json::parse(R"({
    "name": "ids", "dataset": "synthetic", "seeds": [0, 1],
    "models": [{"zoo": "lenet-300-100", "recipe": {"epochs": 1}}],
    "pipelines": [{"name": "fp32", "steps": []},
                  {"name": "q", "steps": [{"method": "weight_only", "params": {"bits": [4, 8]}}]}],
    "backends": ["reference", "openblas"]
  })");
}

// Jobs point into their sweep, so the sweeps a test plans live as long as the test.
std::vector<Job> jobs_of(const json& document, const test::TempDir& dir,
                         const std::string& file = "s.json") {
  static std::vector<std::unique_ptr<Sweep>> sweeps;
  const auto path = dir / file;
  std::ofstream(path) << document.dump();
  sweeps.push_back(std::make_unique<Sweep>(load_sweep(path.string(), (dir / "results").string())));
  return plan_jobs(*sweeps.back());
}

std::map<std::string, std::string> id_by_summary(const std::vector<Job>& jobs) {
  std::map<std::string, std::string> ids;
  for (const Job& job : jobs) ids[job.summary()] = job.id;
  return ids;
}

TEST_CASE("plan_jobs expands models seeds pipelines and backends", "[harness][jobs]") {
  test::TempDir dir;
  const auto jobs = jobs_of(base_sweep(), dir);
  REQUIRE(jobs.size() == 2 * 3 * 2);  // seeds x (fp32 + two bit widths) x backends
  std::set<std::string> ids, groups;
  for (const Job& job : jobs) {
    ids.insert(job.id);
    groups.insert(job.group_id);
    CHECK(job.id.size() == 16);
  }
  CHECK(ids.size() == jobs.size());
  CHECK(groups.size() == jobs.size() / 2);  // seeds share a group
  // Backends are innermost, so consecutive jobs reuse one compressed model.
  CHECK(jobs[0].backend == "reference");
  CHECK(jobs[1].backend == "openblas");
  CHECK(jobs[0].pipeline == jobs[1].pipeline);
}

TEST_CASE("a pipeline's own backends replace the sweep's for that pipeline", "[harness][jobs]") {
  test::TempDir dir;
  json document = base_sweep();
  document["pipelines"][1]["backends"] = {"reference"};
  const auto jobs = jobs_of(document, dir);
  REQUIRE(jobs.size() == 2 * (2 + 2 * 1));  // seeds x (fp32 on two + two bit widths on one)
  for (const Job& job : jobs) {
    if (job.pipeline->name == "q") CHECK(job.backend == "reference");
  }

  document["pipelines"][1]["backends"] = {"no-such-backend"};
  try {
    jobs_of(document, dir, "bad.json");
    FAIL("an unknown pipeline backend was accepted");
  } catch (const UserError& e) {
    const std::string message = e.what();
    CHECK(message.find("/pipelines/1/backends/0") != std::string::npos);
    CHECK(message.find("valid choices") != std::string::npos);
  }
}

TEST_CASE("job IDs depend on what is computed and not on names", "[harness][jobs]") {
  test::TempDir dir;
  const auto reference = id_by_summary(jobs_of(base_sweep(), dir, "a.json"));

  SECTION("same file, same IDs") {
    CHECK(id_by_summary(jobs_of(base_sweep(), dir, "b.json")) == reference);
  }
  SECTION("sweep name and explicit defaults do not change IDs") {
    json renamed = base_sweep();
    renamed["name"] = "other";
    renamed["pipelines"][1]["steps"][0]["params"]["granularity"] = "per_tensor";  // the default
    renamed["pipelines"][0]["steps"] = json::parse(R"([{"method": "fp32"}])");    // the identity
    const auto jobs = jobs_of(renamed, dir, "c.json");
    std::set<std::string> ids;
    for (const Job& job : jobs) ids.insert(job.id);
    for (const auto& [summary, id] : reference) CHECK(ids.count(id) == 1);
  }
  SECTION("a changed recipe changes every ID") {
    json changed = base_sweep();
    changed["models"][0]["recipe"]["epochs"] = 2;
    for (const Job& job : jobs_of(changed, dir, "d.json")) {
      for (const auto& [summary, id] : reference) CHECK(job.id != id);
    }
  }
}

TEST_CASE("identical pipelines are rejected naming both", "[harness][jobs]") {
  test::TempDir dir;
  json duplicate = base_sweep();
  duplicate["pipelines"].push_back(json::parse(R"({"name": "again", "steps": []})"));
  try {
    jobs_of(duplicate, dir);
    FAIL("expected a UserError");
  } catch (const UserError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.find("/pipelines/2: expands to the same job as /pipelines/0") !=
          std::string::npos);
  }
}

TEST_CASE("shards partition the selected jobs", "[harness][jobs]") {
  test::TempDir dir;
  const auto jobs = jobs_of(base_sweep(), dir);
  std::multiset<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    for (const Job& job : select_jobs(jobs, std::nullopt, Shard{i, 5})) seen.insert(job.id);
  }
  CHECK(seen.size() == jobs.size());
  std::set<std::string> unique(seen.begin(), seen.end());
  CHECK(unique.size() == jobs.size());
  CHECK(select_jobs(jobs, std::string("reference"), Shard{}).size() == jobs.size() / 2);
  CHECK(parse_shard("3/4").index == 3);
  CHECK_THROWS_AS(parse_shard("4/4"), UserError);
  CHECK_THROWS_AS(parse_shard("1"), UserError);
  CHECK_THROWS_AS(parse_shard("1/2x"), UserError);
}

}  // namespace
}  // namespace slim
