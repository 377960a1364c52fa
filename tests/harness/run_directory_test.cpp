#include "harness/run_directory.h"

#include <catch2/catch.hpp>
#include <string>

#include "core/error.h"
#include "tests/io/temp_dir.h"

namespace slim {
namespace {

using nlohmann::json;

TEST_CASE("records append as complete lines and a torn last line is cut on reopen",
          "[harness][results]") {
  test::TempDir dir;
  const auto run_path = dir / "sweep" / "20261126T000000Z";
  {
    const RunDirectory run = RunDirectory::create(run_path);
    run.append_record({{"job_id", "a"}, {"status", "ok"}});
    run.append_record({{"job_id", "b"}, {"status", "ok"}});
  }
  // A SIGKILL in the middle of write(2) leaves a line without its newline.
  std::string bytes = test::read_file_bytes(run_path / "runs.jsonl");
  const std::string complete = bytes;
  test::write_file_bytes(run_path / "runs.jsonl", bytes + R"({"job_id": "c", "sta)");

  const RunDirectory reopened = RunDirectory::reopen(run_path);
  CHECK(test::read_file_bytes(run_path / "runs.jsonl") == complete);
  CHECK(reopened.recorded_job_ids() == std::set<std::string>{"a", "b"});
  reopened.append_record({{"job_id", "c"}, {"status", "ok"}});
  CHECK(reopened.records().size() == 3);
}

TEST_CASE("a run directory is never created twice", "[harness][results]") {
  test::TempDir dir;
  RunDirectory::create(dir / "run");
  CHECK_THROWS_AS(RunDirectory::create(dir / "run"), UserError);
  CHECK_THROWS_AS(RunDirectory::reopen(dir / "missing"), UserError);
}

TEST_CASE("latest_run picks the newest run of the same shard", "[harness][results]") {
  test::TempDir dir;
  for (const char* name : {"20261126T100000Z", "20261126T120000Z", "20261126T110000Z",
                           "20261126T130000Z-shard0of2", "20261126T140000Z-merged", "notes"}) {
    std::filesystem::create_directories(dir / name);
  }
  CHECK(latest_run(dir.path(), 0, 1)->filename() == "20261126T120000Z");
  CHECK(latest_run(dir.path(), 0, 2)->filename() == "20261126T130000Z-shard0of2");
  CHECK(!latest_run(dir.path(), 1, 2));
  // Two runs started in the same second get distinct directories.
  const auto first = unused_run_path(dir.path(), 0, 1);
  std::filesystem::create_directories(first);
  CHECK(unused_run_path(dir.path(), 0, 1) != first);
}

}  // namespace
}  // namespace slim
