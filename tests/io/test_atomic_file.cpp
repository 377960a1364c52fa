// write_file_atomically: complete replacement or nothing, and no temporary files left over.
#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "tests/io/temp_dir.h"

namespace slim {
namespace {

TEST_CASE("atomic write creates a file and leaves no temporary file") {
  test::TempDir dir;
  write_file_atomically(dir / "out.txt", std::string_view("hello\n"));
  REQUIRE(test::read_file_bytes(dir / "out.txt") == "hello\n");
  REQUIRE(dir.entries() == std::vector<std::string>{"out.txt"});
}

TEST_CASE("atomic write replaces an existing file") {
  test::TempDir dir;
  test::write_file_bytes(dir / "out.txt", "old contents that are longer than the new ones");
  write_file_atomically(dir / "out.txt", std::string_view("new"));
  REQUIRE(test::read_file_bytes(dir / "out.txt") == "new");
  REQUIRE(dir.entries() == std::vector<std::string>{"out.txt"});
}

TEST_CASE("atomic write streams chunks from a producer in order") {
  test::TempDir dir;
  write_file_atomically(dir / "out.bin", [](const ByteSink& sink) {
    const std::string parts[] = {"ab", "", "cde"};
    for (const std::string& part : parts) sink(std::as_bytes(std::span(part)));
  });
  REQUIRE(test::read_file_bytes(dir / "out.bin") == "abcde");
}

TEST_CASE("atomic write with a failing producer keeps the old file and cleans up") {
  test::TempDir dir;
  test::write_file_bytes(dir / "out.txt", "old");
  const auto half_then_throw = [](const ByteSink& sink) {
    sink(std::as_bytes(std::span(std::string_view("partial"))));
    throw std::runtime_error("producer failed");
  };
  REQUIRE_THROWS_WITH(write_file_atomically(dir / "out.txt", half_then_throw), "producer failed");
  REQUIRE(test::read_file_bytes(dir / "out.txt") == "old");
  REQUIRE(dir.entries() == std::vector<std::string>{"out.txt"});
}

TEST_CASE("atomic write into a missing directory fails naming the path") {
  test::TempDir dir;
  const auto path = dir / "no" / "such" / "dir" / "out.txt";
  try {
    write_file_atomically(path, std::string_view("x"));
    FAIL("write into a missing directory succeeded");
  } catch (const UserError& e) {
    const std::string message = e.what();
    CAPTURE(message);
    REQUIRE(message.find(path.string()) != std::string::npos);
    REQUIRE(message.find("No such file or directory") != std::string::npos);
  }
  REQUIRE(dir.entries().empty());
}

TEST_CASE("atomic write: a concurrent reader sees the old or the new file, never a mix") {
  test::TempDir dir;
  const auto path = dir / "out.bin";
  // Large enough that a non-atomic rewrite would be caught half done.
  const std::string a(1 << 20, 'a');
  const std::string b(1 << 20, 'b');
  write_file_atomically(path, std::string_view(a));

  std::atomic<bool> done{false};
  std::set<std::string> seen;  // only "a", "b" or "mixed/short"
  std::thread reader([&] {
    while (!done.load()) {
      const std::string contents = test::read_file_bytes(path);
      if (contents == a) {
        seen.insert("a");
      } else if (contents == b) {
        seen.insert("b");
      } else {
        seen.insert("mixed or short (" + std::to_string(contents.size()) + " bytes)");
      }
    }
  });
  constexpr int kRewrites = 40;
  for (int i = 0; i < kRewrites; ++i) {
    write_file_atomically(path, std::string_view(i % 2 == 0 ? b : a));
  }
  done = true;
  reader.join();

  CAPTURE(seen);
  REQUIRE_FALSE(seen.empty());
  for (const std::string& kind : seen) REQUIRE((kind == "a" || kind == "b"));
  REQUIRE(dir.entries() == std::vector<std::string>{"out.bin"});
}

}  // namespace
}  // namespace slim
