// The graph executor's contract: batch sizes may change between runs, lowering copies
// the weights, and errors name what went wrong.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/layers/linear.h"
#include "core/train/init.h"
#include "kernels/backend.h"
#include "kernels/cpu/gemm_openblas.h"
#include "kernels/graph_executor.h"
#include "models/zoo.h"
#include "tests/kernels/runnable_backends.h"
#include "tests/kernels/test_tensors.h"

namespace slim::testing {
namespace {

Model initialised(std::string_view zoo_name) {
  Model model = find_model(zoo_name).build({1, 28, 28}, 10);
  Rng rng(5);
  init_parameters(model, rng);
  return model;
}

Tensor images(int64_t batch, uint64_t seed) {
  return random_tensor({batch, 1, 28, 28}, seed);
}

// A layer no backend knows, standing in for a future compressed layer kind.
class TestOnlySquare final : public UnaryLayer {
 public:
  std::string kind() const override { return "test_only_square"; }
  nlohmann::json config() const override { return nlohmann::json::object(); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<TestOnlySquare>(); }

 protected:
  Shape unary_output_shape(const Shape& input) const override { return input; }
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) override {
    output.resize(input.shape());
    for (int64_t i = 0; i < input.numel(); ++i) output[i] = input[i] * input[i];
  }
  void unary_backward(const Tensor&, Tensor*) override {}
};

}  // namespace

TEST_CASE("the backend table lists reference eigen openblas and int8", "[backend]") {
  std::vector<std::string> names;
  for (const Backend& backend : backend_table()) {
    names.push_back(backend.name);
    INFO(backend.name);
    // Every CPU backend runs anywhere; CUDA needs a device.
    if (backend.name != "cuda") CHECK(backend.unavailable_reason().empty());
    CHECK_FALSE(backend.description.empty());
    REQUIRE(backend.variant);
    CHECK_FALSE(backend.variant().empty());
  }
  const std::vector<std::string> cpu_backends = {"reference", "eigen", "openblas", "int8",
                                                 "sparse"};
  REQUIRE(names.size() >= cpu_backends.size());
  CHECK(std::vector<std::string>(names.begin(), names.begin() + 5) == cpu_backends);
  // The CUDA backend is listed after them, in builds with nvcc only.
  CHECK((names.size() == 5 || (names.size() == 6 && names[5] == "cuda")));
  CHECK(&find_backend("eigen") == &backend_table()[1]);
}

TEST_CASE("an unknown backend name lists the valid choices", "[backend]") {
  try {
    find_backend("nope");
    FAIL("find_backend accepted 'nope'");
  } catch (const UserError& e) {
    CHECK_THAT(
        std::string(e.what()),
        Catch::StartsWith(
            "unknown backend 'nope'; valid choices: reference, eigen, openblas, int8, sparse"));
  }
}

TEST_CASE("lowering an unsupported layer kind names the node", "[backend]") {
  Model model("toy", {4}, 4);
  model.add("fc", std::make_unique<Linear>(4, 4));
  model.add("odd", std::make_unique<TestOnlySquare>());
  for (const Backend* runnable : testing::runnable_backends()) {
    const Backend& backend = *runnable;
    try {
      backend.lower(model);
      FAIL("backend " << backend.name << " lowered an unknown layer kind");
    } catch (const UserError& e) {
      CHECK(std::string(e.what()) ==
            "backend '" + backend.name + "' cannot run node 'odd' (layer kind 'test_only_square')");
    }
  }
}

TEST_CASE("run rejects an input of the wrong sample shape", "[backend]") {
  const Model model = initialised("lenet-5");
  for (const Backend* runnable : testing::runnable_backends()) {
    const Backend& backend = *runnable;
    INFO(backend.name);
    const auto plan = backend.lower(model);
    CHECK_THROWS_AS(plan->run(random_tensor({2, 1, 27, 28}, 1)), UserError);
    CHECK_THROWS_AS(plan->run(random_tensor({1, 28, 28}, 1)), UserError);
  }
}

TEST_CASE("run follows a changing batch size", "[backend]") {
  Model model = initialised("resnet-8");
  for (const Backend* runnable : testing::runnable_backends()) {
    const Backend& backend = *runnable;
    const auto plan = backend.lower(model);
    float worst = 0.0f;
    for (const int64_t batch : {int64_t{4}, int64_t{1}, int64_t{7}, int64_t{4}}) {
      const Tensor input = images(batch, 30 + static_cast<uint64_t>(batch));
      const Tensor want = model.forward(input, ForwardContext{Mode::kEval, nullptr});
      const Tensor& got = plan->run(input);
      REQUIRE(got.shape() == Shape{batch, 10});
      const Comparison c = compare(want.values(), got.values(), 1e-4f, 1e-4f);
      CHECK(c.within_tolerance);
      worst = std::max(worst, c.max_abs_diff);
    }
    WARN("resnet-8 on " << backend.name << " with batch 4, 1, 7, 4: max|diff| = " << worst);
  }
}

TEST_CASE("repeated runs at one batch size reuse the output buffer", "[backend]") {
  const Model model = initialised("lenet-5");
  const auto plan = find_backend("openblas").lower(model);
  const Tensor input = images(3, 8);
  const Tensor first = plan->run(input);
  const float* buffer = plan->run(input).data();
  const Tensor& again = plan->run(input);
  CHECK(again.data() == buffer);
  // Same inputs, same thread count: the same bits.
  CHECK(max_abs_diff(first, again) == 0.0f);
}

TEST_CASE("a lowered plan keeps its own copy of the weights", "[backend]") {
  for (const std::string_view zoo_name : {"lenet-5", "resnet-8"}) {
    for (const Backend* runnable : testing::runnable_backends()) {
      const Backend& backend = *runnable;
      auto model = std::make_unique<Model>(initialised(zoo_name));
      const auto plan = backend.lower(*model);
      const Tensor input = images(2, 21);
      const Tensor before = plan->run(input);
      for (auto& [name, param] : model->parameters()) param->value.fill(0.5f);
      for (auto& [name, buffer] : model->buffers()) buffer->fill(3.0f);
      const Tensor after_edit = plan->run(input);
      model.reset();
      const Tensor after_free = plan->run(input);
      INFO(zoo_name << " on " << backend.name);
      CHECK(max_abs_diff(before, after_edit) == 0.0f);
      CHECK(max_abs_diff(before, after_free) == 0.0f);
    }
  }
}

}  // namespace slim::testing

namespace slim::testing {

// lenet-5's two conv -> ReLU -> pool chains fuse whole; an MLP has nothing to fuse, and
// resnet-8's convolutions feed batch norms (its stem's pool-free chains stay unfused).
TEST_CASE("the graph executor fuses conv, its only-reader ReLU and a 2x2 max pool", "[backend]") {
  const Model lenet = initialised("lenet-5");
  const std::vector<ConvChain> chains = fusable_conv_chains(lenet);
  REQUIRE(chains.size() == 2);
  for (const ConvChain& chain : chains) {
    REQUIRE(chain.relu >= 0);
    REQUIRE(chain.pool >= 0);
    CHECK(lenet.nodes()[static_cast<size_t>(chain.conv)].layer->kind() == "conv2d");
    CHECK(lenet.nodes()[static_cast<size_t>(chain.relu)].layer->kind() == "relu");
    CHECK(lenet.nodes()[static_cast<size_t>(chain.pool)].layer->kind() == "maxpool2d");
  }
  CHECK(fusable_conv_chains(initialised("lenet-300-100")).empty());
  for (const ConvChain& chain : fusable_conv_chains(initialised("resnet-8"))) {
    CHECK(chain.pool < 0);  // no 2x2 max pool there
  }
}

// Fused and unfused plans give the same bits, at batch sizes that fill one pass of
// images and several, with NaN and negative inputs reaching the fused ReLU and pool.
TEST_CASE("a fused conv, ReLU and pool give exactly the unfused values", "[backend]") {
  const Model model = initialised("lenet-5");
  auto fused = lower_graph(model, "openblas-test", gemm_openblas);
  auto unfused = lower_graph(model, "openblas-test", gemm_openblas, {.fuse_conv_chains = false});
  for (const int64_t batch : {1, 7, 40}) {
    Tensor x = images(batch, 40 + static_cast<uint64_t>(batch));
    x[3] = std::numeric_limits<float>::quiet_NaN();
    const Tensor a = fused->run(x);
    const Tensor b = unfused->run(x);
    REQUIRE(a.shape() == b.shape());
    INFO("batch " << batch);
    CHECK(std::memcmp(a.data(), b.data(), static_cast<size_t>(a.numel()) * sizeof(float)) == 0);
  }
}

}  // namespace slim::testing
