// The IDX reader: good files read back exactly; bad ones give one-line errors that name
// the file and say what is wrong.
#include "datasets/idx.h"

#include <catch2/catch.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.h"
#include "tests/datasets/idx_writer.h"
#include "tests/datasets/temp_dir.h"

namespace slim {
namespace {

using testing::idx_bytes;
using testing::TempDir;
using testing::write_file;

std::vector<uint8_t> ramp(size_t n) {
  std::vector<uint8_t> data(n);
  std::iota(data.begin(), data.end(), uint8_t{0});
  return data;
}

// Runs read_idx_uint8 and returns the UserError message (empty when it did not throw).
std::string idx_error(const std::filesystem::path& path, int ndims) {
  try {
    read_idx_uint8(path, ndims);
  } catch (const UserError& e) {
    return e.what();
  }
  return {};
}

TEST_CASE("idx: plain and gzipped files read back exactly", "[datasets][idx]") {
  TempDir dir("idx-roundtrip");
  const std::vector<uint8_t> data = ramp(3 * 4 * 5);
  for (const bool gzip : {false, true}) {
    CAPTURE(gzip);
    const auto path = dir.path() / (gzip ? "images.gz" : "images");
    write_file(path, idx_bytes({3, 4, 5}, data), gzip);
    const IdxArray array = read_idx_uint8(path, 3);
    CHECK(array.dims == std::vector<int64_t>{3, 4, 5});
    CHECK(array.data == data);
  }
}

TEST_CASE("idx: magic numbers of uint8 images and labels", "[datasets][idx]") {
  CHECK(idx_uint8_magic(3) == 0x00000803u);
  CHECK(idx_uint8_magic(1) == 0x00000801u);
}

TEST_CASE("idx: wrong magic names the file, the expected and the found magic", "[datasets][idx]") {
  TempDir dir("idx-magic");
  const auto path = dir.path() / "bad-magic-images";
  std::vector<uint8_t> bytes = idx_bytes({2, 2, 2}, ramp(8));
  bytes[0] = 0x12;  // not the two leading zero bytes
  write_file(path, bytes, false);
  const std::string message = idx_error(path, 3);
  INFO(message);
  CHECK(message.find("magic") != std::string::npos);
  CHECK(message.find("bad-magic-images") != std::string::npos);
  CHECK(message.find("0x00000803") != std::string::npos);
  CHECK(message.find("0x12000803") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("idx: a labels file where images are expected is a magic mismatch", "[datasets][idx]") {
  TempDir dir("idx-ndims");
  const auto path = dir.path() / "labels-as-images";
  write_file(path, idx_bytes({4}, ramp(4)), false);
  const std::string message = idx_error(path, 3);
  INFO(message);
  CHECK(message.find("magic") != std::string::npos);
  CHECK(message.find("0x00000801") != std::string::npos);
}

TEST_CASE("idx: non-uint8 element types are rejected clearly", "[datasets][idx]") {
  TempDir dir("idx-type");
  const auto path = dir.path() / "floats";
  write_file(path, idx_bytes({2}, ramp(8), 0x0D), false);
  const std::string message = idx_error(path, 1);
  INFO(message);
  CHECK(message.find("unsupported") != std::string::npos);
  CHECK(message.find("0x0D") != std::string::npos);
  CHECK(message.find("floats") != std::string::npos);
}

TEST_CASE("idx: truncated plain and gzipped files report expected vs found bytes",
          "[datasets][idx]") {
  TempDir dir("idx-truncated");
  // The header promises 10 images of 2x3 = 60 bytes; only 45 follow.
  const std::vector<uint8_t> bytes = idx_bytes({10, 2, 3}, ramp(45));
  for (const bool gzip : {false, true}) {
    CAPTURE(gzip);
    const auto path = dir.path() / (gzip ? "short-images.gz" : "short-images");
    write_file(path, bytes, gzip);
    const std::string message = idx_error(path, 3);
    INFO(message);
    CHECK(message.find("truncated") != std::string::npos);
    CHECK(message.find(path.filename().string()) != std::string::npos);
    CHECK(message.find("60") != std::string::npos);
    CHECK(message.find("45") != std::string::npos);
  }
}

TEST_CASE("idx: a header cut short is reported as truncated", "[datasets][idx]") {
  TempDir dir("idx-header");
  const auto path = dir.path() / "stub";
  const std::vector<uint8_t> bytes = idx_bytes({10, 2, 3}, {});
  write_file(path, std::span(bytes).first(7), false);
  const std::string message = idx_error(path, 3);
  INFO(message);
  CHECK(message.find("truncated") != std::string::npos);
  CHECK(message.find("stub") != std::string::npos);
}

TEST_CASE("idx: a gzip stream cut mid-way is reported as truncated", "[datasets][idx]") {
  TempDir dir("idx-gzcut");
  const auto whole = dir.path() / "whole.gz";
  write_file(whole, idx_bytes({50, 8, 8}, ramp(50 * 64)), true);
  const auto size = std::filesystem::file_size(whole);
  const auto path = dir.path() / "cut.gz";
  std::filesystem::copy_file(whole, path);
  std::filesystem::resize_file(path, size / 2);
  const std::string message = idx_error(path, 3);
  INFO(message);
  CHECK(message.find("cut.gz") != std::string::npos);
  // zlib reports a cut stream either as an early end (truncated) or as a read error.
  const bool explained = message.find("truncated") != std::string::npos ||
                         message.find("decompress") != std::string::npos;
  CHECK(explained);
}

TEST_CASE("idx: extra bytes after the data are rejected", "[datasets][idx]") {
  TempDir dir("idx-extra");
  const auto path = dir.path() / "long";
  write_file(path, idx_bytes({4}, ramp(6)), false);
  const std::string message = idx_error(path, 1);
  INFO(message);
  CHECK(message.find("more data") != std::string::npos);
}

TEST_CASE("idx: a missing file is a UserError naming it", "[datasets][idx]") {
  TempDir dir("idx-missing");
  const auto path = dir.path() / "nowhere-idx1-ubyte";
  const std::string message = idx_error(path, 1);
  INFO(message);
  CHECK(message.find("not found") != std::string::npos);
  CHECK(message.find("nowhere-idx1-ubyte") != std::string::npos);
}

}  // namespace
}  // namespace slim
