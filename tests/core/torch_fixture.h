// Reading the PyTorch reference fixtures written by scripts/make_torch_fixtures.py.
//
// Each fixture is one safetensors file under tests/fixtures/torch/ holding the inputs,
// parameters and PyTorch's outputs and gradients of one case; its "case" metadata names
// the layer kind (or "cross_entropy", "soft_cross_entropy", "model"), the config accepted
// by make_layer and the mode. Fixtures are committed, so a missing directory or file is
// an error (std::runtime_error), never a reason to skip.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/safetensors.h"
#include "core/layer.h"
#include "core/tensor.h"

namespace slim::testing {

// The fixture format version this reader understands (metadata "fixture_version").
inline constexpr std::string_view kTorchFixtureVersion = "1";

std::filesystem::path torch_fixture_dir();

struct TorchFixture {
  std::string name;  // the file's stem, e.g. "conv2d_k3_s2_p1"
  std::string kind;  // "conv2d", "cross_entropy", "model", ...
  nlohmann::json config;
  Mode mode = Mode::kTrain;
  std::string torch_version;
  SafetensorsFile file;

  bool has(std::string_view tensor) const;
  // Throws std::runtime_error naming the fixture when the tensor is absent.
  const Tensor& tensor(std::string_view tensor) const;
  // The int32 tensor "labels" (class indices for the loss).
  std::vector<int32_t> labels() const;
};

TorchFixture load_torch_fixture(std::string_view name);
// Stems of every *.safetensors in torch_fixture_dir(), sorted.
std::vector<std::string> list_torch_fixtures();

// An element passes when |actual - expected| <= atol + rtol * |expected|.
struct Tolerance {
  float atol = 0.0f;
  float rtol = 0.0f;
};

struct Comparison {
  std::string label;  // "<fixture> / <tensor>"
  float max_abs_diff = 0.0f;
  float worst_excess = 0.0f;  // max over elements of |diff| - allowed; <= 0 passes
  std::string problem;        // a shape mismatch or a non-finite value, else empty
  bool passed() const { return problem.empty() && worst_excess <= 0.0f; }
};

Comparison compare_tensors(std::string label, const Tensor& actual, const Tensor& expected,
                           Tolerance tolerance);

}  // namespace slim::testing
