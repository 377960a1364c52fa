// read_run_records: complete lines parse, an interrupted last append is dropped, and a bad
// line is reported with its file and line number.
#include "harness/report/records.h"

#include <catch2/catch.hpp>

#include "core/error.h"
#include "tests/io/temp_dir.h"
#include "tests/report/sample_records.h"

namespace slim {
namespace {

TEST_CASE("records: a run directory and its runs.jsonl read the same records") {
  test::TempDir dir;
  test::write_runs_jsonl(dir.path(), {test::sample_record("a1", "g1", 0, 0.91),
                                      test::sample_record("a2", "g1", 1, 0.92)});
  bool dropped = true;
  const auto from_dir = read_run_records(dir.path(), &dropped);
  const auto from_file = read_run_records(dir / "runs.jsonl");
  CAPTURE(from_dir.size(), from_file.size());
  REQUIRE(from_dir.size() == 2);
  REQUIRE(from_dir == from_file);
  REQUIRE_FALSE(dropped);
  REQUIRE(from_dir[1]["job_id"] == "a2");
}

TEST_CASE("records: a final line without a newline is an interrupted append and is dropped") {
  test::TempDir dir;
  const std::string complete = test::sample_record("a1", "g1", 0, 0.91).dump() + "\n";
  // Even a partial line that happens to be valid JSON is dropped: without its newline we
  // cannot know the writer finished it.
  for (const std::string& partial : {std::string(R"({"schema":"slimbench-run-1","job_id":"a2)"),
                                     std::string(R"({"job_id":"a2"})")}) {
    test::write_file_bytes(dir / "runs.jsonl", complete + "\n" + partial);
    bool dropped = false;
    const auto records = read_run_records(dir.path(), &dropped);
    CAPTURE(partial, records.size(), dropped);
    REQUIRE(records.size() == 1);
    REQUIRE(dropped);
  }
}

TEST_CASE("records: a malformed middle line is a UserError naming file and line") {
  test::TempDir dir;
  const std::string good = test::sample_record("a1", "g1", 0, 0.91).dump() + "\n";
  test::write_file_bytes(dir / "runs.jsonl", good + good + "{\"job_id\": oops}\n" + good);
  const std::string expected = (dir / "runs.jsonl").string() + ":3: ";
  try {
    read_run_records(dir.path());
    FAIL("a malformed line was accepted");
  } catch (const UserError& e) {
    const std::string message = e.what();
    CAPTURE(message, expected);
    REQUIRE(message.starts_with(expected));
  }
}

TEST_CASE("records: a line that is not an object or has another schema is rejected") {
  test::TempDir dir;
  test::write_file_bytes(dir / "runs.jsonl", "[1, 2]\n");
  REQUIRE_THROWS_WITH(read_run_records(dir.path()),
                      Catch::Contains("runs.jsonl:1: expected a JSON object"));
  test::write_file_bytes(dir / "runs.jsonl", "\n{\"schema\": \"slimbench-run-9\"}\n");
  REQUIRE_THROWS_WITH(read_run_records(dir.path()),
                      Catch::Contains("runs.jsonl:2: unsupported schema"));
}

TEST_CASE("records: a missing file is a UserError naming it") {
  test::TempDir dir;
  REQUIRE_THROWS_AS(read_run_records(dir.path()), UserError);
  REQUIRE_THROWS_WITH(read_run_records(dir / "nope.jsonl"), Catch::Contains("nope.jsonl"));
}

TEST_CASE("records: an empty file holds no records") {
  test::TempDir dir;
  test::write_file_bytes(dir / "runs.jsonl", "");
  bool dropped = true;
  REQUIRE(read_run_records(dir.path(), &dropped).empty());
  REQUIRE_FALSE(dropped);
}

}  // namespace
}  // namespace slim
