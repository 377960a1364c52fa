// Round trips through write_safetensors / read_safetensors, and determinism of the writer.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "core/io/safetensors.h"
#include "tests/io/sample_checkpoint.h"
#include "tests/io/temp_dir.h"

namespace slim {
namespace {

// Bitwise comparison: a round trip must not even turn -0.0 into 0.0 or change a NaN.
void require_same_tensor(const NamedTensor& expected, const NamedTensor& actual) {
  INFO("tensor " << expected.name);
  REQUIRE(actual.name == expected.name);
  CAPTURE(shape_to_string(expected.value.shape()), shape_to_string(actual.value.shape()));
  REQUIRE(actual.value.shape() == expected.value.shape());
  REQUIRE(actual.value.numel() == expected.value.numel());
  for (int64_t i = 0; i < expected.value.numel(); ++i) {
    CAPTURE(i, expected.value[i], actual.value[i]);
    REQUIRE(std::bit_cast<uint32_t>(actual.value[i]) == std::bit_cast<uint32_t>(expected.value[i]));
  }
}

void require_same_raw(const RawTensor& expected, const RawTensor& actual) {
  INFO("raw tensor " << expected.name);
  REQUIRE(actual.name == expected.name);
  CAPTURE(expected.dtype, actual.dtype);
  REQUIRE(actual.dtype == expected.dtype);
  CAPTURE(shape_to_string(expected.shape), shape_to_string(actual.shape));
  REQUIRE(actual.shape == expected.shape);
  REQUIRE(actual.bytes == expected.bytes);
}

// Every expected tensor is found (by name, since the reader sorts) and nothing else is.
void require_same_file(const SafetensorsFile& expected, const SafetensorsFile& actual) {
  CAPTURE(expected.tensors.size(), actual.tensors.size());
  REQUIRE(actual.tensors.size() == expected.tensors.size());
  for (const NamedTensor& tensor : expected.tensors) {
    const NamedTensor* found = find_tensor(actual, tensor.name);
    INFO("looking for " << tensor.name);
    REQUIRE(found != nullptr);
    require_same_tensor(tensor, *found);
  }
  CAPTURE(expected.raw_tensors.size(), actual.raw_tensors.size());
  REQUIRE(actual.raw_tensors.size() == expected.raw_tensors.size());
  for (const RawTensor& raw : expected.raw_tensors) {
    const RawTensor* found = find_raw_tensor(actual, raw.name);
    INFO("looking for " << raw.name);
    REQUIRE(found != nullptr);
    require_same_raw(raw, *found);
  }
  REQUIRE(actual.metadata == expected.metadata);
}

TEST_CASE("safetensors round trip keeps F32 tensors of every rank, raw tensors and metadata") {
  test::TempDir dir;
  const SafetensorsFile original = test::sample_checkpoint();
  write_safetensors(dir / "model.safetensors", original);
  const SafetensorsFile loaded = read_safetensors(dir / "model.safetensors");

  require_same_file(original, loaded);
  // The reader returns tensors sorted by name, whatever the order they were given in.
  REQUIRE(loaded.tensors.front().name == "conv.weight");
  REQUIRE(loaded.raw_tensors.front().name == "indices");
  const NamedTensor* scalar = find_tensor(loaded, "scale");
  REQUIRE(scalar != nullptr);
  REQUIRE(scalar->value.rank() == 0);
  REQUIRE(scalar->value.numel() == 1);
  const NamedTensor* empty = find_tensor(loaded, "empty");
  REQUIRE(empty != nullptr);
  REQUIRE(empty->value.shape() == Shape{0, 3});
  REQUIRE(find_tensor(loaded, "missing") == nullptr);
}

TEST_CASE("safetensors round trip is bit exact for special float values") {
  test::TempDir dir;
  SafetensorsFile original;
  const std::vector<float> values{
      std::numeric_limits<float>::quiet_NaN(),  -0.0f,
      std::numeric_limits<float>::infinity(),   -std::numeric_limits<float>::infinity(),
      std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max()};
  original.tensors.push_back({"special", Tensor({2, 3}, values)});
  write_safetensors(dir / "special.safetensors", original);
  require_same_file(original, read_safetensors(dir / "special.safetensors"));
}

TEST_CASE("safetensors file without tensors round trips") {
  test::TempDir dir;
  write_safetensors(dir / "nothing.safetensors", SafetensorsFile{});
  const std::string bytes = test::read_file_bytes(dir / "nothing.safetensors");
  // "{}" padded to 8 bytes, after the 8-byte length prefix.
  CAPTURE(bytes.size());
  REQUIRE(bytes == std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  const SafetensorsFile loaded = read_safetensors(dir / "nothing.safetensors");
  REQUIRE(loaded.tensors.empty());
  REQUIRE(loaded.raw_tensors.empty());
  REQUIRE(loaded.metadata.empty());
}

TEST_CASE("safetensors writer output is deterministic") {
  test::TempDir dir;
  SafetensorsFile file = test::sample_checkpoint();
  write_safetensors(dir / "first.safetensors", file);
  write_safetensors(dir / "second.safetensors", file);
  // Input order must not matter either: the writer sorts.
  std::reverse(file.tensors.begin(), file.tensors.end());
  std::reverse(file.raw_tensors.begin(), file.raw_tensors.end());
  write_safetensors(dir / "reversed.safetensors", file);

  const std::string first = test::read_file_bytes(dir / "first.safetensors");
  const std::string second = test::read_file_bytes(dir / "second.safetensors");
  const std::string reversed = test::read_file_bytes(dir / "reversed.safetensors");
  CAPTURE(first.size(), second.size(), reversed.size());
  REQUIRE(first == second);
  REQUIRE(first == reversed);
}

TEST_CASE("safetensors writer rejects inconsistent content and leaves the old file") {
  test::TempDir dir;
  const auto path = dir / "model.safetensors";
  write_safetensors(path, test::sample_checkpoint());
  const std::string before = test::read_file_bytes(path);

  SafetensorsFile duplicate = test::sample_checkpoint();
  duplicate.tensors.push_back({"q.weight", Tensor({1})});  // also the name of a raw tensor
  REQUIRE_THROWS_AS(write_safetensors(path, duplicate), std::logic_error);

  SafetensorsFile reserved;
  reserved.tensors.push_back({"__metadata__", Tensor({1})});
  REQUIRE_THROWS_AS(write_safetensors(path, reserved), std::logic_error);

  SafetensorsFile short_bytes;
  short_bytes.raw_tensors.push_back({"q", "I32", {2}, std::vector<uint8_t>(7)});
  REQUIRE_THROWS_AS(write_safetensors(path, short_bytes), std::logic_error);

  SafetensorsFile unknown_dtype;
  unknown_dtype.raw_tensors.push_back({"q", "I4", {2}, std::vector<uint8_t>(1)});
  REQUIRE_THROWS_AS(write_safetensors(path, unknown_dtype), std::logic_error);

  SafetensorsFile raw_float;
  raw_float.raw_tensors.push_back({"w", "F32", {1}, std::vector<uint8_t>(4)});
  REQUIRE_THROWS_AS(write_safetensors(path, raw_float), std::logic_error);

  SafetensorsFile no_storage;
  no_storage.tensors.push_back({"w", Tensor()});
  REQUIRE_THROWS_AS(write_safetensors(path, no_storage), std::logic_error);

  REQUIRE(test::read_file_bytes(path) == before);
  REQUIRE(dir.entries() == std::vector<std::string>{"model.safetensors"});
}

TEST_CASE("raw tensor helpers convert typed values both ways") {
  const std::vector<int32_t> values{-2, 0, 70000};
  const RawTensor raw = make_raw_tensor<int32_t>("idx", "I32", {3}, values);
  CAPTURE(raw.bytes.size());
  REQUIRE(raw.bytes.size() == 12);
  REQUIRE(raw.bytes[8] == 0x70);  // 70000 = 0x00011170, little-endian
  REQUIRE(raw.bytes[9] == 0x11);
  REQUIRE(raw.bytes[10] == 0x01);
  REQUIRE(raw_tensor_values<int32_t>(raw) == values);

  // Asking for the wrong element size is a file/caller mismatch, reported to the user.
  REQUIRE_THROWS_AS(raw_tensor_values<int8_t>(raw), UserError);
  REQUIRE_THROWS_AS(make_raw_tensor<int8_t>("x", "I32", {1}, std::vector<int8_t>{1}),
                    std::logic_error);
  REQUIRE_THROWS_AS(make_raw_tensor<int8_t>("x", "I8", {2}, std::vector<int8_t>{1}),
                    std::logic_error);
}

}  // namespace
}  // namespace slim
