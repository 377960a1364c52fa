#include "tests/core/torch_fixture.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/io/raw_tensor.h"

namespace slim::testing {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fixture_error(std::string_view fixture, const std::string& message) {
  throw std::runtime_error(fmt::format("torch fixture {}: {}", fixture, message));
}

std::string metadata_value(const TorchFixture& fixture, const std::string& key) {
  const auto it = fixture.file.metadata.find(key);
  if (it == fixture.file.metadata.end()) fixture_error(fixture.name, "no metadata '" + key + "'");
  return it->second;
}

// The "case" metadata: {"kind": ..., "config": {...}, "mode": "train" | "eval"}.
void parse_case(TorchFixture& fixture) {
  const nlohmann::json spec = nlohmann::json::parse(metadata_value(fixture, "case"));
  fixture.kind = spec.at("kind").get<std::string>();
  fixture.config = spec.at("config");
  const std::string mode = spec.at("mode").get<std::string>();
  if (mode != "train" && mode != "eval") fixture_error(fixture.name, "unknown mode " + mode);
  fixture.mode = mode == "train" ? Mode::kTrain : Mode::kEval;
}

}  // namespace

fs::path torch_fixture_dir() {
  return fs::path(SLIMBENCH_SOURCE_DIR) / "tests/fixtures/torch";
}

bool TorchFixture::has(std::string_view tensor) const {
  return find_tensor(file, tensor) != nullptr;
}

const Tensor& TorchFixture::tensor(std::string_view tensor) const {
  const NamedTensor* found = find_tensor(file, tensor);
  if (!found) fixture_error(name, fmt::format("no float tensor '{}'", tensor));
  return found->value;
}

std::vector<int32_t> TorchFixture::labels() const {
  const RawTensor* raw = find_raw_tensor(file, "labels");
  if (!raw || raw->dtype != "I32") fixture_error(name, "no I32 tensor 'labels'");
  return raw_tensor_values<int32_t>(*raw);
}

TorchFixture load_torch_fixture(std::string_view name) {
  const fs::path path = torch_fixture_dir() / (std::string(name) + ".safetensors");
  // Fixtures are committed: their absence means a broken checkout, which must fail.
  if (!fs::is_regular_file(path)) fixture_error(name, "missing file " + path.string());
  TorchFixture fixture;
  fixture.name = std::string(name);
  fixture.file = read_safetensors(path);
  const std::string version = metadata_value(fixture, "fixture_version");
  if (version != kTorchFixtureVersion) {
    fixture_error(name, fmt::format("fixture_version {}, this test reads {}; regenerate with "
                                    "scripts/make_torch_fixtures.py",
                                    version, kTorchFixtureVersion));
  }
  fixture.torch_version = metadata_value(fixture, "torch_version");
  try {
    parse_case(fixture);
  } catch (const nlohmann::json::exception& e) {
    fixture_error(name, std::string("bad 'case' metadata: ") + e.what());
  }
  return fixture;
}

std::vector<std::string> list_torch_fixtures() {
  const fs::path dir = torch_fixture_dir();
  if (!fs::is_directory(dir)) {
    throw std::runtime_error("torch fixture directory " + dir.string() + " is missing");
  }
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".safetensors") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Comparison compare_tensors(std::string label, const Tensor& actual, const Tensor& expected,
                           Tolerance tolerance) {
  Comparison result;
  result.label = std::move(label);
  if (actual.shape() != expected.shape()) {
    result.problem = fmt::format("shape {} but the fixture has {}", shape_to_string(actual.shape()),
                                 shape_to_string(expected.shape()));
    return result;
  }
  result.worst_excess = -tolerance.atol;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    if (!std::isfinite(actual[i])) {
      result.problem = fmt::format("non-finite value {} at element {}", actual[i], i);
      return result;
    }
    const float diff = std::fabs(actual[i] - expected[i]);
    const float allowed = tolerance.atol + tolerance.rtol * std::fabs(expected[i]);
    result.max_abs_diff = std::max(result.max_abs_diff, diff);
    result.worst_excess = std::max(result.worst_excess, diff - allowed);
  }
  return result;
}

}  // namespace slim::testing
