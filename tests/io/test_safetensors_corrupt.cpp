// Damaged, truncated and inconsistent files: each must give a one-line UserError that
// names the file and says what is wrong.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/io/safetensors.h"
#include "tests/io/sample_checkpoint.h"
#include "tests/io/temp_dir.h"

namespace slim {
namespace {

std::string length_prefix(uint64_t length) {
  std::string bytes(8, '\0');
  for (size_t i = 0; i < 8; ++i) bytes[i] = static_cast<char>((length >> (8 * i)) & 0xFF);
  return bytes;
}

// A file whose length prefix matches `json`, followed by `data_size` zero bytes.
std::string file_with_header(const std::string& json, size_t data_size) {
  return length_prefix(json.size()) + json + std::string(data_size, '\0');
}

void require_user_error(const std::filesystem::path& path, const std::string& fragment) {
  try {
    read_safetensors(path);
    FAIL("read_safetensors accepted the file; expected an error containing: " << fragment);
  } catch (const UserError& e) {
    const std::string message = e.what();
    CAPTURE(message, fragment);
    REQUIRE(message.find(path.string()) != std::string::npos);
    REQUIRE(message.find(fragment) != std::string::npos);
    REQUIRE(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("safetensors reader reports a missing file or a directory") {
  test::TempDir dir;
  require_user_error(dir / "absent.safetensors", "no such file");
  require_user_error(dir.path(), "not a file");
}

TEST_CASE("safetensors reader rejects truncated files, naming the file") {
  test::TempDir dir;
  write_safetensors(dir / "full.safetensors", test::sample_checkpoint());
  const std::string full = test::read_file_bytes(dir / "full.safetensors");
  const auto header_end = 8 + static_cast<size_t>(static_cast<unsigned char>(full[0]) +
                                                  256 * static_cast<unsigned char>(full[1]));
  CAPTURE(full.size(), header_end);
  REQUIRE(header_end < full.size());

  // Inside the length prefix, inside the header, exactly after it, and inside the data.
  for (size_t cut : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, header_end / 2, header_end - 1,
                     header_end, header_end + 1, full.size() - 1}) {
    CAPTURE(cut);
    const auto path = dir / "cut.safetensors";
    test::write_file_bytes(path, full.substr(0, cut));
    require_user_error(path, "(truncated?)");
  }
}

TEST_CASE("safetensors reader rejects an impossible header length") {
  test::TempDir dir;
  const auto path = dir / "bad_length.safetensors";
  test::write_file_bytes(path, length_prefix(1000) + "{}");
  require_user_error(path, "header length 1000 exceeds the 2 bytes");
  test::write_file_bytes(path, length_prefix(uint64_t{1} << 63) + "{}");
  require_user_error(path, "exceeds");
}

struct BadHeader {
  std::string what;
  std::string json;
  size_t data_size;
  std::string expected_fragment;
};

// One F32 [1] entry spanning [begin, end), for building layouts.
std::string f32_entry(const std::string& name, int begin, int end) {
  return fmt::format(R"("{}":{{"dtype":"F32","shape":[1],"data_offsets":[{},{}]}})", name, begin,
                     end);
}

// A header object made of the given "name":{...} members. (Built with fmt rather than
// "{" + ... + "}": GCC 12 raises a false -Wrestrict on that operator+ chain.)
std::string header_of(const std::vector<std::string>& members) {
  return fmt::format("{{{}}}", fmt::join(members, ","));
}

TEST_CASE("safetensors reader rejects corrupted or inconsistent headers") {
  const std::vector<BadHeader> cases{
      {"cut JSON", R"({"a":{"dtype":"F32",)", 0, "not valid JSON"},
      {"binary garbage", "\xff\xfe\x01garbage", 0, "not valid JSON"},
      {"invalid UTF-8", "{\"\xff\":1}", 0, "not valid JSON"},
      {"not an object", "[]", 0, "not a JSON object"},
      {"entry not an object", R"({"a":5})", 0, "entry is not a JSON object"},
      {"unknown dtype", R"({"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}})", 1,
       "unknown dtype \"Q7\""},
      {"dtype not a string", R"({"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", 4,
       "\"dtype\""},
      {"offsets disagree with shape",
       R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})", 12,
       "shape [2, 2] of F32 does not fit data_offsets [0, 12] (12 bytes)"},
      {"shape overflows",
       R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,0]}})", 0,
       "does not fit"},
      {"shape overflows before a zero dimension",
       R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", 0,
       "does not fit"},
      {"negative dimension", R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4,
       "non-negative integers"},
      {"fractional offset", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}})", 4,
       "non-negative integers"},
      {"three offsets", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,4]}})", 4,
       "must be an array [begin, end]"},
      {"reversed offsets", header_of({f32_entry("a", 4, 0)}), 4, "end before they begin"},
      {"offsets beyond the data", header_of({f32_entry("a", 4, 8)}), 4, "reach past the 4 data"},
      {"overlap", header_of({f32_entry("a", 0, 4), f32_entry("b", 2, 6)}), 6,
       "tensors \"a\" and \"b\" overlap"},
      {"gap", header_of({f32_entry("a", 0, 4), f32_entry("b", 8, 12)}), 12,
       "data bytes [4, 8) belong to no tensor"},
      {"trailing garbage", header_of({f32_entry("a", 0, 4)}), 9, "5 bytes of trailing data"},
      {"duplicate name", header_of({f32_entry("a", 0, 4), f32_entry("a", 0, 4)}), 4,
       "key \"a\" twice"},
      {"unexpected field", R"({"a":{"dtype":"U8","shape":[],"data_offsets":[0,1],"x":0}})", 1,
       "unexpected field \"x\""},
      {"metadata value not a string", R"({"__metadata__":{"epochs":3}})", 0,
       "value for \"epochs\" is not a string"},
      {"metadata not an object", R"({"__metadata__":"x"})", 0, "is not a JSON object"},
  };
  test::TempDir dir;
  const auto path = dir / "corrupt.safetensors";
  for (const BadHeader& bad : cases) {
    INFO("case: " << bad.what << "; header: " << bad.json);
    test::write_file_bytes(path, file_with_header(bad.json, bad.data_size));
    require_user_error(path, bad.expected_fragment);
  }
}

TEST_CASE("safetensors reader rejects a flipped byte in a written header") {
  test::TempDir dir;
  const auto path = dir / "flipped.safetensors";
  write_safetensors(path, test::sample_checkpoint());
  std::string bytes = test::read_file_bytes(path);
  bytes[8] = 'x';  // the opening '{' of the header
  test::write_file_bytes(path, bytes);
  require_user_error(path, "not valid JSON");
}

}  // namespace
}  // namespace slim
