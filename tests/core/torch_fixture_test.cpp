// Every layer, both losses and two whole zoo models compared with PyTorch.
//
// The reference numbers come from committed fixtures (tests/fixtures/torch, written by
// scripts/make_torch_fixtures.py), so this test needs neither Python nor torch. Each
// comparison prints "<fixture> / <tensor>: max|diff| = X".
//
// Tolerances: an element passes when |ours - torch| <= atol + rtol * |torch|.
//  * Single layers and losses: 1e-5 + 1e-4 |ref|. Both sides compute in float32 but sum
//    in different orders (our im2col GEMM versus torch's convolution kernels, our double
//    BatchNorm statistics versus torch's float ones); for the few-hundred-term sums here
//    that is a few float32 ulps, far inside this bound, while any indexing, padding or
//    formula error is of order one.
//  * Whole models: 2e-6 + 1e-3 |ref|. The relative part is looser: rounding differences
//    compound through up to 17 layers, and train-mode BatchNorm's backward subtracts means
//    of products. The absolute part is tighter, because these gradients of a batch-mean
//    loss are of order 1e-2, not 1: 2e-6 is 1e-4 of their scale, and more than ten times
//    the largest difference seen (1.6e-7 with torch 1.13 on x86-64). A wrong name, shape,
//    stride or residual wiring is off by the gradient's whole size.
#include "tests/core/torch_fixture.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/layer_registry.h"
#include "core/train/loss.h"
#include "models/zoo.h"

namespace slim::testing {
namespace {

constexpr Tolerance kLayerTolerance{1e-5f, 1e-4f};
constexpr Tolerance kModelTolerance{2e-6f, 1e-3f};

// Fixtures by what checks them. The coverage test insists the folder holds exactly these,
// so a fixture added without a check (or a check without a fixture) fails.
const std::vector<std::string> kLinear = {"linear", "linear_nobias"};
const std::vector<std::string> kConv2d = {"conv2d_k3_s1_p0", "conv2d_k3_s2_p1", "conv2d_k5_s1_p2",
                                          "conv2d_k1_s2_p0", "conv2d_k3_s1_p1_nobias"};
const std::vector<std::string> kBatchNorm = {"batchnorm1d_train", "batchnorm1d_eval",
                                             "batchnorm2d_train", "batchnorm2d_eval"};
const std::vector<std::string> kPooling = {"maxpool2d_k2_s2", "maxpool2d_k3_s2_p1",
                                           "avgpool2d_k2_s2", "avgpool2d_k3_s2_p1",
                                           "global_avgpool"};
const std::vector<std::string> kShape = {"relu", "flatten", "add"};
const std::vector<std::string> kLosses = {"cross_entropy", "soft_cross_entropy_t4"};
const std::vector<std::string> kModels = {"model_lenet_5", "model_resnet_8"};

void expect_close(const TorchFixture& fixture, const std::string& tensor, const Tensor& actual,
                  Tolerance tolerance) {
  const Comparison c =
      compare_tensors(fixture.name + " / " + tensor, actual, fixture.tensor(tensor), tolerance);
  WARN(c.label << ": max|diff| = " << c.max_abs_diff);
  INFO(c.label << ": " << (c.problem.empty() ? "outside tolerance" : c.problem)
               << " (worst excess over atol + rtol|ref|: " << c.worst_excess << ")");
  CHECK(c.passed());
}

// Parameters and buffers come from the fixture under their local names.
void load_layer_state(Layer& layer, const TorchFixture& fixture) {
  for (auto& [name, param] : layer.parameters()) {
    param->value = fixture.tensor(name);
    param->grad = Tensor(param->value.shape());  // backward adds to it
  }
  for (auto& [name, buffer] : layer.buffers()) *buffer = fixture.tensor(name);
}

// "input", "input1", ... as many as the layer reads.
std::vector<Tensor> fixture_inputs(const Layer& layer, const TorchFixture& fixture) {
  std::vector<Tensor> inputs;
  for (int k = 0; k < layer.arity(); ++k) {
    inputs.push_back(fixture.tensor(k == 0 ? "input" : "input" + std::to_string(k)));
  }
  return inputs;
}

void check_layer_fixture(const std::string& name) {
  const TorchFixture fixture = load_torch_fixture(name);
  const std::unique_ptr<Layer> layer = make_layer(fixture.kind, fixture.config);
  load_layer_state(*layer, fixture);
  const std::vector<Tensor> inputs = fixture_inputs(*layer, fixture);
  std::vector<const Tensor*> input_ptrs;
  for (const Tensor& input : inputs) input_ptrs.push_back(&input);

  Tensor output;
  layer->forward(input_ptrs, output, ForwardContext{fixture.mode, nullptr});
  std::vector<Tensor> grads(inputs.size());
  std::vector<Tensor*> grad_ptrs;
  for (Tensor& grad : grads) grad_ptrs.push_back(&grad);
  layer->backward(fixture.tensor("upstream"), grad_ptrs);

  expect_close(fixture, "output", output, kLayerTolerance);
  for (size_t k = 0; k < grads.size(); ++k) {
    expect_close(fixture, k == 0 ? "grad_input" : "grad_input" + std::to_string(k), grads[k],
                 kLayerTolerance);
  }
  for (auto& [param_name, param] : layer->parameters()) {
    expect_close(fixture, "grad_" + param_name, param->grad, kLayerTolerance);
  }
  // Train mode updates the running statistics; eval mode must leave them as they were.
  for (auto& [buffer_name, buffer] : layer->buffers()) {
    expect_close(fixture, buffer_name + "_after", *buffer, kLayerTolerance);
  }
}

void check_layer_fixtures(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    SECTION(name) {
      check_layer_fixture(name);
    }
  }
}

Tensor scalar(float value) {
  return Tensor({1}, value);
}

void check_loss_fixture(const std::string& name) {
  const TorchFixture fixture = load_torch_fixture(name);
  const Tensor& logits = fixture.tensor("input");
  Tensor grad;
  float loss = 0.0f;
  if (fixture.kind == "cross_entropy") {
    loss = cross_entropy(logits, fixture.labels(), &grad);
  } else {
    REQUIRE(fixture.kind == "soft_cross_entropy");
    const auto temperature = fixture.config.at("temperature").get<float>();
    loss = soft_cross_entropy(logits, fixture.tensor("target"), temperature, &grad);
  }
  expect_close(fixture, "output", scalar(loss), kLayerTolerance);
  expect_close(fixture, "grad_input", grad, kLayerTolerance);
}

// Every parameter and buffer of the model must be in the fixture, and vice versa: the
// fixture's plain names (no "grad/" or "after/" prefix) other than the case's own data.
void load_model_state(Model& model, const TorchFixture& fixture) {
  std::set<std::string> used = {"input", "labels", "output", "loss"};
  for (auto& [name, param] : model.parameters()) {
    INFO("parameter " << name);
    REQUIRE(fixture.tensor(name).shape() == param->value.shape());
    param->value = fixture.tensor(name);
    used.insert(name);
  }
  for (auto& [name, buffer] : model.buffers()) {
    INFO("buffer " << name);
    REQUIRE(fixture.tensor(name).shape() == buffer->shape());
    *buffer = fixture.tensor(name);
    used.insert(name);
  }
  for (const NamedTensor& stored : fixture.file.tensors) {
    const bool derived = stored.name.starts_with("grad/") || stored.name.starts_with("after/");
    INFO("fixture tensor " << stored.name << " matches nothing in the model");
    CHECK((derived || used.count(stored.name) == 1));
  }
}

void check_model_fixture(const std::string& name) {
  const TorchFixture fixture = load_torch_fixture(name);
  REQUIRE(fixture.kind == "model");
  const nlohmann::json& config = fixture.config;
  Model model =
      find_model(config.at("name").get<std::string>())
          .build(config.at("sample_shape").get<Shape>(), config.at("num_classes").get<int>());
  load_model_state(model, fixture);

  model.zero_grad();
  Rng rng(1);  // unused by these models (no dropout), but train mode expects one
  const Tensor& logits = model.forward(fixture.tensor("input"), ForwardContext{Mode::kTrain, &rng});
  Tensor grad_logits;
  const float loss = cross_entropy(logits, fixture.labels(), &grad_logits);
  expect_close(fixture, "output", logits, kModelTolerance);
  expect_close(fixture, "loss", scalar(loss), kModelTolerance);
  model.backward(grad_logits);

  for (auto& [param_name, param] : model.parameters()) {
    expect_close(fixture, "grad/" + param_name, param->grad, kModelTolerance);
  }
  for (auto& [buffer_name, buffer] : model.buffers()) {
    expect_close(fixture, "after/" + buffer_name, *buffer, kModelTolerance);
  }
}

}  // namespace

TEST_CASE("torch fixture: folder holds exactly the checked fixtures", "[torch]") {
  std::vector<std::string> expected;
  for (const auto* group :
       {&kLinear, &kConv2d, &kBatchNorm, &kPooling, &kShape, &kLosses, &kModels}) {
    expected.insert(expected.end(), group->begin(), group->end());
  }
  std::sort(expected.begin(), expected.end());
  CHECK(list_torch_fixtures() == expected);
}

TEST_CASE("torch fixture: linear", "[torch]") {
  check_layer_fixtures(kLinear);
}

TEST_CASE("torch fixture: conv2d", "[torch]") {
  check_layer_fixtures(kConv2d);
}

TEST_CASE("torch fixture: batchnorm", "[torch]") {
  check_layer_fixtures(kBatchNorm);
}

TEST_CASE("torch fixture: pooling", "[torch]") {
  check_layer_fixtures(kPooling);
}

TEST_CASE("torch fixture: relu and flatten and add", "[torch]") {
  check_layer_fixtures(kShape);
}

TEST_CASE("torch fixture: losses", "[torch]") {
  for (const std::string& name : kLosses) {
    SECTION(name) {
      check_loss_fixture(name);
    }
  }
}

TEST_CASE("torch fixture: lenet-5 model", "[torch]") {
  check_model_fixture("model_lenet_5");
}

TEST_CASE("torch fixture: resnet-8 model", "[torch]") {
  check_model_fixture("model_resnet_8");
}

}  // namespace slim::testing
