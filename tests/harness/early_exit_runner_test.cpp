// Input-dependent execution of an early exit (harness/early_exit_runner.h) and the
// structure of the accuracy / latency curve (harness/early_exit_curve.h). Timings are
// produced but never checked: only decisions and logits are.
#include "harness/early_exit_runner.h"

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "core/error.h"
#include "core/subgraph.h"
#include "core/train/init.h"
#include "datasets/synthetic.h"
#include "harness/early_exit_curve.h"
#include "kernels/backend.h"
#include "methods/pruning/early_exit_graph.h"
#include "models/zoo.h"

namespace slim {
namespace {

// lenet-5 with an (untrained) exit head after pool1.
Model lenet_with_exit() {
  Model model = find_model("lenet-5").build({1, 28, 28}, 10);
  Model with_head = with_exit_head(model, "pool1");
  Rng rng(13);
  init_parameters(with_head, rng);
  return with_head;
}

Tensor sample(uint64_t seed) {
  Tensor x({1, 1, 28, 28});
  Rng rng(seed);
  for (float& v : x.values()) v = rng.normal();
  return x;
}

}  // namespace

TEST_CASE("run_one exits always at threshold 0 and never above 1", "[early_exit]") {
  const Model model = lenet_with_exit();
  const Backend& backend = find_backend("reference");
  EarlyExitRunner runner(model, backend);
  const auto full = backend.lower(model);  // the graph form: final logits, head ignored
  const auto head = backend.lower(slice_model(model, kModelInput, "exit.fc"));
  for (uint64_t seed : {1, 2, 3}) {
    const Tensor x = sample(seed);
    const ExitOutcome early = runner.run_one(x, 0.0);
    CHECK(early.exited);
    const float head_diff = max_abs_diff(early.logits, head->run(x));
    const ExitOutcome late = runner.run_one(x, 1.01);
    CHECK_FALSE(late.exited);
    const float full_diff = max_abs_diff(late.logits, full->run(x));
    INFO("seed " << seed << ": max|diff| exit " << head_diff << ", full " << full_diff);
    CHECK(head_diff == 0.0f);
    CHECK(full_diff == 0.0f);
  }
  Tensor batch({2, 1, 28, 28});
  CHECK_THROWS_AS(runner.run_one(batch, 0.5), UserError);
}

TEST_CASE("max_softmax is the largest softmax probability", "[early_exit]") {
  const std::vector<float> equal(4, 3.0f);
  CHECK(max_softmax(equal) == Approx(0.25));
  const std::vector<float> peaked = {0.0f, 1000.0f, 0.0f};  // no overflow
  CHECK(max_softmax(peaked) == Approx(1.0));
}

TEST_CASE("the curve's exit fraction falls as the threshold rises", "[early_exit]") {
  const Dataset dataset = make_synthetic();
  const Model model = lenet_with_exit();
  EarlyExitCurveOptions options;
  options.thresholds = {0.99, 0.0, 0.15, 0.3, 0.5, 1.01};
  options.max_samples = 40;
  options.warmup_samples = 2;
  options.rounds = 2;  // decisions are counted once, timings pooled over both
  const nlohmann::json result =
      measure_early_exit_curve(model, find_backend("openblas"), dataset, options);
  CHECK(result.at("samples") == 40);
  CHECK(result.at("rounds") == 2);
  const nlohmann::json& curve = result.at("curve");
  REQUIRE(curve.size() == options.thresholds.size());
  double previous_threshold = -1.0, previous_fraction = 1.0;
  for (const nlohmann::json& point : curve) {
    const double threshold = point.at("threshold").get<double>();
    const double fraction = point.at("exit_fraction").get<double>();
    INFO("threshold " << threshold << ": exit fraction " << fraction << ", accuracy "
                      << point.at("accuracy").get<double>());
    CHECK(threshold > previous_threshold);
    CHECK(fraction <= previous_fraction);
    previous_threshold = threshold;
    previous_fraction = fraction;
  }
  CHECK(curve.front().at("exit_fraction") == 1.0);
  CHECK(curve.back().at("exit_fraction") == 0.0);
  // Never exiting answers exactly as the model without its head.
  CHECK(curve.back().at("accuracy") == result.at("no_exit").at("accuracy"));
  CHECK(result.at("macs").at("head").get<int64_t>() > 0);
}

TEST_CASE("the runner refuses a model without an exit", "[early_exit]") {
  const Model model = find_model("lenet-5").build({1, 28, 28}, 10);
  CHECK_THROWS_WITH(EarlyExitRunner(model, find_backend("reference")),
                    Catch::Contains("no early exit"));
}

}  // namespace slim
