// Static PTQ end to end on real data: the int8 backend's integer execution against the
// FP32 simulation (Model::forward) of the same quantized model, over the whole
// Fashion-MNIST test split.
//
// The bar: identical top-1 on at least 99.9% of the images, and every logit
// within one step of the output grid (1 LSB). lenet-5 is trained for one epoch here
// (about 20-40 s on two cores), enough for the confident predictions that make top-1
// agreement meaningful; resnet-8 would take minutes, so its check on real data is the
// quant_ptq experiment (docs/quantization.md).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "core/quant/quantize_layer.h"
#include "core/train/init.h"
#include "core/train/trainer.h"
#include "datasets/batch_loader.h"
#include "datasets/registry.h"
#include "kernels/backend.h"
#include "methods/registry.h"
#include "models/zoo.h"

namespace slim {
namespace {

struct Agreement {
  int64_t images = 0;
  int64_t same_top1 = 0;
  int64_t logits = 0;
  int64_t logits_within_one_step = 0;
  int64_t logits_equal = 0;
  double worst_steps = 0.0;
};

int64_t argmax(const float* row, int64_t n) {
  return std::max_element(row, row + n) - row;
}

// The grid of the final dequantize node: one step of it is the logits' LSB.
float output_step(const Model& model) {
  const auto& last = dynamic_cast<const DequantizeLayer&>(*model.nodes().back().layer);
  return last.quant().scale;
}

Agreement compare_on_test_split(Model& quantized, const Dataset& dataset) {
  const std::unique_ptr<Executable> integer = find_backend("int8").lower(quantized);
  const float step = output_step(quantized);
  const BatchLoader loader(dataset, dataset.test, BatchOptions{.batch_size = 500});
  const int64_t classes = quantized.num_classes();
  Agreement agreement;
  Batch batch;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    loader.fill_batch(b, batch);
    const Tensor& simulated = quantized.forward(batch.x, ForwardContext{});
    const Tensor& executed = integer->run(batch.x);
    REQUIRE(simulated.shape() == executed.shape());
    for (int64_t i = 0; i < batch.size(); ++i) {
      const float* s = simulated.data() + i * classes;
      const float* e = executed.data() + i * classes;
      agreement.same_top1 += argmax(s, classes) == argmax(e, classes);
      for (int64_t c = 0; c < classes; ++c) {
        const double steps = std::fabs(s[c] - e[c]) / step;
        agreement.worst_steps = std::max(agreement.worst_steps, steps);
        agreement.logits_within_one_step += steps <= 1.0 + 1e-3;
        agreement.logits_equal += s[c] == e[c];
      }
    }
    agreement.images += batch.size();
    agreement.logits += batch.size() * classes;
  }
  return agreement;
}

const Dataset& fashion_mnist() {
  static const Dataset dataset = load_dataset("fashion-mnist");
  return dataset;
}

// lenet-5 after one epoch of its default recipe, trained once per test run.
const Model& trained_lenet5() {
  static std::optional<Model> model;
  if (!model) {
    const ZooEntry& entry = find_model("lenet-5");
    model = entry.build(fashion_mnist().sample_shape, fashion_mnist().num_classes);
    Recipe recipe = entry.default_recipe();
    recipe.epochs = 1;
    Rng rng(recipe.seed);
    init_parameters(*model, rng);
    TrainHooks quiet;
    quiet.evaluate_each_epoch = false;
    train(*model, fashion_mnist(), recipe, quiet);
  }
  return *model;
}

Model static_ptq(const Model& fp32, const nlohmann::json& given) {
  Model model = fp32;
  const Method& method = find_method("static_ptq");
  MethodContext context{fashion_mnist(), Recipe{},
                        calibration_indices(fashion_mnist().train, 1024, 0), 0, stderr};
  method.apply(model, resolve_params(method.params, given, JsonPath("test", "")), context);
  return model;
}

void check_agreement(const Agreement& a, const char* label) {
  std::printf(
      "%s: top-1 agreement %lld/%lld (%.3f%%), logits within 1 LSB %lld/%lld, identical "
      "%.2f%%, worst %.3f LSB\n",
      label, static_cast<long long>(a.same_top1), static_cast<long long>(a.images),
      100.0 * static_cast<double>(a.same_top1) / static_cast<double>(a.images),
      static_cast<long long>(a.logits_within_one_step), static_cast<long long>(a.logits),
      100.0 * static_cast<double>(a.logits_equal) / static_cast<double>(a.logits), a.worst_steps);
  CHECK(a.images == fashion_mnist().test.count);
  CHECK(static_cast<double>(a.same_top1) >= 0.999 * static_cast<double>(a.images));
  CHECK(a.logits_within_one_step == a.logits);
}

// One test case with sections, so that ctest (one process per test case) trains the
// model once.
TEST_CASE("int8 execution agrees with the simulation on Fashion-MNIST", "[quant][agreement]") {
  SECTION("W8A8 per-channel kl") {
    Model quantized = static_ptq(trained_lenet5(), {{"activation_calibrator", "kl"}});
    check_agreement(compare_on_test_split(quantized, fashion_mnist()), "lenet-5 W8A8 kl");
  }

  SECTION("W4 per-group min_max, away rounding") {
    Model quantized = static_ptq(trained_lenet5(), {{"activation_calibrator", "min_max"},
                                                    {"weight_bits", 4},
                                                    {"granularity", "per_group"},
                                                    {"rounding", "half_away_from_zero"}});
    check_agreement(compare_on_test_split(quantized, fashion_mnist()), "lenet-5 W4 per-group");
  }

  SECTION("asymmetric weights, FP32 first and last layers") {
    Model quantized = static_ptq(trained_lenet5(), {{"weight_calibrator", "min_max"},
                                                    {"granularity", "per_tensor"},
                                                    {"keep_first_last_fp32", true}});
    const std::unique_ptr<Executable> integer = find_backend("int8").lower(quantized);
    // The last layer is FP32 here, so there is no output grid: compare top-1 only.
    const BatchLoader loader(fashion_mnist(), fashion_mnist().test,
                             BatchOptions{.batch_size = 500});
    int64_t same = 0;
    Batch batch;
    for (int64_t b = 0; b < loader.num_batches(); ++b) {
      loader.fill_batch(b, batch);
      const Tensor& s = quantized.forward(batch.x, ForwardContext{});
      const Tensor& e = integer->run(batch.x);
      for (int64_t i = 0; i < batch.size(); ++i) {
        same += argmax(s.data() + i * 10, 10) == argmax(e.data() + i * 10, 10);
      }
    }
    std::printf("lenet-5 mixed precision: top-1 agreement %lld/10000\n",
                static_cast<long long>(same));
    CHECK(static_cast<double>(same) >= 0.999 * static_cast<double>(fashion_mnist().test.count));
  }
}

}  // namespace
}  // namespace slim
