// Run-time pruning: sub-model slicing (core/subgraph.h), the early-exit graph form and
// the early_exit method's head training (methods/pruning/early_exit*.h).
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json_path.h"
#include "core/subgraph.h"
#include "core/train/init.h"
#include "datasets/synthetic.h"
#include "methods/param_schema.h"
#include "methods/pruning/early_exit_graph.h"
#include "methods/registry.h"
#include "models/checkpoint.h"
#include "models/zoo.h"

namespace slim {
namespace {

Model initialised(const std::string& name, const Shape& sample_shape, uint64_t seed = 5) {
  Model model = find_model(name).build(sample_shape, 10);
  Rng rng(seed);
  init_parameters(model, rng);
  return model;
}

Tensor random_input(const Shape& sample_shape, int64_t batch, uint64_t seed = 9) {
  Shape shape = sample_shape;
  shape.insert(shape.begin(), batch);
  Tensor x(shape);
  Rng rng(seed);
  for (float& v : x.values()) v = rng.normal();
  return x;
}

// stem(input -> cut) then rest(cut -> output), against the whole model; returns max|diff|.
float composition_error(Model& model, const std::string& cut, const Tensor& x) {
  Model stem = slice_model(model, kModelInput, cut);
  Model rest = slice_model(model, cut, model.nodes().back().name);
  const ForwardContext eval{Mode::kEval, nullptr};
  const Tensor expected = model.forward(x, eval);
  const Tensor& got = rest.forward(stem.forward(x, eval), eval);
  REQUIRE(got.shape() == expected.shape());
  return max_abs_diff(got, expected);
}

}  // namespace

TEST_CASE("a stem and the rest composed give the model's output exactly", "[early_exit]") {
  SECTION("lenet-5") {
    Model model = initialised("lenet-5", {1, 28, 28});
    const Tensor x = random_input({1, 28, 28}, 3);
    for (const std::string cut : {"pool1", "pool2"}) {
      const float diff = composition_error(model, cut, x);
      INFO("lenet-5 cut at " << cut << ": max|diff| " << diff);
      CHECK(diff == 0.0f);
    }
  }
  SECTION("resnet-8 at a block output") {
    Model model = initialised("resnet-8", {3, 32, 32});
    const Tensor x = random_input({3, 32, 32}, 2);
    const float diff = composition_error(model, "layer1.relu2", x);
    INFO("resnet-8 cut at layer1.relu2: max|diff| " << diff);
    CHECK(diff == 0.0f);
    const Model stem = slice_model(model, kModelInput, "layer1.relu2");
    CHECK(stem.nodes().back().name == "layer1.relu2");
    CHECK(stem.sample_shape() == Shape{3, 32, 32});
    CHECK(slice_model(model, "layer1.relu2", "fc").sample_shape() == Shape{16, 32, 32});
  }
}

TEST_CASE("a residual skip across the cut is refused, naming the node", "[early_exit]") {
  const Model model = initialised("resnet-8", {3, 32, 32});
  CHECK_THROWS_WITH(slice_model(model, "layer1.relu1", "fc"),
                    Catch::Contains("'layer1.add' reads 'stem.relu'"));
  const std::vector<std::string> points = exit_points(model);
  CHECK(std::find(points.begin(), points.end(), "layer1.relu2") != points.end());
  CHECK(std::find(points.begin(), points.end(), "layer1.relu1") == points.end());
  CHECK_THROWS_WITH(
      with_exit_head(model, "layer1.bn1"),
      Catch::Contains("valid choices: stem.conv, stem.bn, stem.relu, layer1.add, layer1.relu2"));
}

TEST_CASE("early_exit keeps the plain output and trains a head above chance", "[early_exit]") {
  const Dataset dataset = make_synthetic();
  Model model = initialised("lenet-5", {1, 28, 28});
  const Model original = model;
  const Method& method = find_method("early_exit");
  Recipe recipe;
  recipe.batch_size = 64;
  std::vector<int64_t> calibration(256);
  for (size_t i = 0; i < calibration.size(); ++i) calibration[i] = static_cast<int64_t>(i);
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  MethodContext context{dataset, recipe, calibration, 3, quiet};
  method.apply(model, resolve_params(method.params, {{"epochs", 1}}, JsonPath("test")), context);

  const std::optional<EarlyExitGraph> exit = find_early_exit(model);
  REQUIRE(exit);
  CHECK(exit->cut == "pool1");
  CHECK(exit->head == std::vector<std::string>{"exit.pool", "exit.flatten", "exit.fc"});
  CHECK(model.nodes().back().name == "fc2");
  // The exit is found from the graph alone, so a checkpoint's rebuilt graph keeps it.
  const std::optional<EarlyExitGraph> rebuilt =
      find_early_exit(model_from_description(model.describe()));
  REQUIRE(rebuilt);
  CHECK(rebuilt->cut == "pool1");
  CHECK(rebuilt->head == exit->head);

  const Tensor x = random_input({1, 28, 28}, 4);
  const ForwardContext eval{Mode::kEval, nullptr};
  Model plain = original;
  const Tensor expected = plain.forward(x, eval);
  const float diff = max_abs_diff(model.forward(x, eval), expected);
  INFO("plain output with the head attached: max|diff| " << diff);
  CHECK(diff == 0.0f);

  const nlohmann::json& report = context.report.at("early_exit");
  const double head_accuracy = report.at("calibration").at("head_accuracy").get<double>();
  INFO("head accuracy on the calibration slice " << head_accuracy << " (chance 0.1)");
  CHECK(head_accuracy > 0.5);
  CHECK(report.at("macs").at("head").get<int64_t>() < report.at("macs").at("rest").get<int64_t>());

  CHECK_THROWS_AS(with_exit_head(model, "pool2"), UserError);  // one exit per model
}

TEST_CASE("early_exit without a default exit point lists the choices", "[early_exit]") {
  CHECK(default_exit_point("resnet-8") == "layer1.relu2");
  CHECK(default_exit_point("my-net").empty());
  const Model model = initialised("lenet-5", {1, 28, 28});
  CHECK_THROWS_WITH(with_exit_head(model, "nope"),
                    Catch::Contains("valid choices: conv1, relu1, pool1, conv2"));
}

}  // namespace slim
