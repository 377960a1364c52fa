#include "methods/quantization/weight_only.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/model_size.h"
#include "core/quant/packed_codes.h"
#include "core/train/init.h"
#include "core/train/trainer.h"
#include "datasets/registry.h"
#include "methods/registry.h"
#include "models/zoo.h"

namespace slim {
namespace {

Model initialised(const std::string& name) {
  Model model = find_model(name).build({1, 28, 28}, 10);
  Rng rng(7);
  init_parameters(model, rng);
  return model;
}

void quantize(Model& model, int bits, const std::string& granularity, const Dataset& dataset) {
  MethodContext context{dataset, Recipe{}, {}, 0, stderr};
  find_method("weight_only").apply(model, {{"bits", bits}, {"granularity", granularity}}, context);
}

TEST_CASE("weight_only rounds each weight to the nearest level of its scale",
          "[methods][quantization]") {
  const Dataset dataset = load_dataset("synthetic");
  for (int bits : {2, 4, 8}) {
    for (std::string granularity : {"per_tensor", "per_channel"}) {
      Model original = initialised("lenet-5");
      Model model = original;
      quantize(model, bits, granularity, dataset);
      for (const auto& [name, parameter] : model.parameters()) {
        const Parameter& before = original.parameter(name);
        if (name.ends_with(".bias")) {
          CHECK(!parameter->storage);
          CHECK(parameter->value.vector() == before.value.vector());  // biases stay FP32
          continue;
        }
        REQUIRE(parameter->storage);
        const auto& storage = dynamic_cast<const SymmetricQuantizedWeight&>(*parameter->storage);
        const int64_t channels = static_cast<int64_t>(storage.scales().size());
        CHECK(channels == (granularity == "per_channel" ? parameter->value.shape()[0] : 1));
        const int64_t per_channel = parameter->value.numel() / channels;
        const float max_code = static_cast<float>((1 << (bits - 1)) - 1);
        double worst = 0.0;
        for (int64_t i = 0; i < parameter->value.numel(); ++i) {
          const float scale = storage.scales()[i / per_channel];
          const float q = parameter->value.data()[i] / scale;
          CHECK(std::fabs(q - std::nearbyint(q)) < 1e-3f);  // on the grid
          CHECK(std::fabs(q) <= max_code + 1e-3f);
          // abs_max never clips, so the error is at most half a step.
          const double error =
              std::fabs(parameter->value.data()[i] - before.value.data()[i]) / scale;
          worst = std::max(worst, error);
        }
        INFO(name << " bits " << bits << " " << granularity << " max |w - w_q| / S = " << worst);
        CHECK(worst <= 0.5 + 1e-4);
        CHECK(storage.stored_bytes() ==
              packed_size_bytes(parameter->value.numel(), bits) + 4 * channels);
      }
    }
  }
}

TEST_CASE("stored size counts packed codes and scales", "[methods][quantization]") {
  const Dataset dataset = load_dataset("synthetic");
  Model model = initialised("lenet-300-100");
  const int64_t fp32 = stored_bytes(model);
  CHECK(fp32 == fp32_bytes(model));
  CHECK(fp32 == 4 * model.parameter_count());
  quantize(model, 4, "per_tensor", dataset);
  int64_t expected = 0;
  for (const auto& [name, parameter] : model.parameters()) {
    expected += name.ends_with(".weight") ? (parameter->value.numel() + 1) / 2 + 4
                                          : 4 * parameter->value.numel();
  }
  INFO("fp32 " << fp32 << " bytes, int4 " << stored_bytes(model) << " bytes");
  CHECK(stored_bytes(model) == expected);
  CHECK(fp32_bytes(model) == fp32);
}

TEST_CASE("training refuses a model whose weights are encoded", "[methods][quantization]") {
  const Dataset dataset = load_dataset("synthetic");
  Model model = initialised("lenet-300-100");
  quantize(model, 8, "per_tensor", dataset);
  Recipe recipe;
  recipe.epochs = 1;
  try {
    train(model, dataset, recipe, {});
    FAIL("expected a UserError");
  } catch (const UserError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.find("parameter 'fc1.weight' is stored as") != std::string::npos);
  }
}

}  // namespace
}  // namespace slim
