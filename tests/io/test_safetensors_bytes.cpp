// Byte-level checks against files worked out by hand, independent of our own reader/writer.
#include <catch2/catch.hpp>

#include "core/io/safetensors.h"
#include "tests/io/temp_dir.h"

namespace slim {
namespace {

std::string hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x} ", c);
  return out;
}

TEST_CASE("safetensors writer produces the hand-computed bytes") {
  test::TempDir dir;
  SafetensorsFile file;
  file.tensors.push_back({"w", Tensor({2}, std::vector<float>{1.0f, -2.0f})});
  file.raw_tensors.push_back(
      make_raw_tensor<uint8_t>("a", "U8", {3}, std::vector<uint8_t>{1, 2, 3}));
  file.metadata = {{"k", "v"}};
  write_safetensors(dir / "tiny.safetensors", file);
  const std::string bytes = test::read_file_bytes(dir / "tiny.safetensors");

  // Keys sorted ('_' < 'a' < 'w'); data ordered by element size, so the F32 "w" comes
  // first even though "a" sorts before it. 132 JSON bytes + 4 spaces of padding = 136.
  const std::string json = R"({"__metadata__":{"k":"v"},)"
                           R"("a":{"data_offsets":[8,11],"dtype":"U8","shape":[3]},)"
                           R"("w":{"data_offsets":[0,8],"dtype":"F32","shape":[2]}})";
  REQUIRE(json.size() == 132);
  const std::string length_prefix("\x88\0\0\0\0\0\0\0", 8);  // 136, little-endian
  const std::string data(
      "\x00\x00\x80\x3f"  // 1.0f  = 0x3f800000
      "\x00\x00\x00\xc0"  // -2.0f = 0xc0000000
      "\x01\x02\x03",
      11);
  const std::string expected = length_prefix + json + "    " + data;

  CAPTURE(bytes.size(), expected.size(), hex(bytes.substr(0, 8)), hex(bytes.substr(144)));
  REQUIRE(bytes.size() == 8 + 136 + 11);
  REQUIRE(bytes.substr(0, 8) == length_prefix);
  REQUIRE(bytes.substr(8, 136) == json + "    ");
  REQUIRE(bytes.substr(144) == data);
}

TEST_CASE("safetensors reader accepts a hand-written file from another writer") {
  test::TempDir dir;
  // Unsorted keys, pretty-printed with newlines, unpadded (73 is not a multiple of 8), and
  // data laid out in an order that is not the name order.
  const std::string json =
      "{\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},\n"
      " \"a\": {\"dtype\": \"I8\", \"shape\": [2, 1], \"data_offsets\": [4, 6]}}";
  const std::string length_prefix{static_cast<char>(json.size()), 0, 0, 0, 0, 0, 0, 0};
  const std::string data("\x00\x00\x00\x3f\xfd\x05", 6);  // 0.5f, then int8 -3 and 5
  test::write_file_bytes(dir / "other.safetensors", length_prefix + json + data);

  const SafetensorsFile file = read_safetensors(dir / "other.safetensors");
  REQUIRE(file.metadata.empty());
  REQUIRE(file.tensors.size() == 1);
  REQUIRE(file.tensors[0].name == "b");
  REQUIRE(file.tensors[0].value.shape() == Shape{1});
  CAPTURE(file.tensors[0].value[0]);
  REQUIRE(file.tensors[0].value[0] == 0.5f);
  REQUIRE(file.raw_tensors.size() == 1);
  REQUIRE(file.raw_tensors[0].name == "a");
  REQUIRE(file.raw_tensors[0].dtype == "I8");
  REQUIRE(file.raw_tensors[0].shape == Shape{2, 1});
  REQUIRE(raw_tensor_values<int8_t>(file.raw_tensors[0]) == std::vector<int8_t>{-3, 5});
}

}  // namespace
}  // namespace slim
