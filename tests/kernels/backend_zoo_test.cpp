// Every FP32 backend against Model::forward in eval mode, for every zoo model.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "core/train/init.h"
#include "kernels/backend.h"
#include "models/zoo.h"
#include "tests/kernels/runnable_backends.h"
#include "tests/kernels/test_tensors.h"

namespace slim::testing {
namespace {

const Shape kSampleShape = {1, 28, 28};
constexpr int kClasses = 10;
// The backends multiply in another order than training's sgemm (transposed weights,
// other GEMM kernels), so logits differ by float reassociation only.
constexpr float kAtol = 1e-4f;
constexpr float kRtol = 1e-4f;

// Gives every rank-1 parameter (biases, BatchNorm's gamma and beta) non-trivial values,
// since init_parameters leaves them at 0 and 1 and would hide a dropped bias.
void perturb_vectors(Model& model, Rng& rng) {
  for (auto& [name, param] : model.parameters()) {
    if (param->value.rank() != 1) continue;
    for (float& v : param->value.values()) v += 0.2f * rng.normal();
  }
}

// A few training-mode forwards move BatchNorm's running statistics away from (0, 1), so
// a backend that ignored them would be caught.
void warm_up_batch_norm(Model& model, Rng& rng) {
  for (uint64_t step = 0; step < 3; ++step) {
    Shape shape = kSampleShape;
    shape.insert(shape.begin(), 8);
    const Tensor batch = random_tensor(shape, 900 + step);
    model.forward(batch, ForwardContext{Mode::kTrain, &rng});
  }
}

Model trained_looking_model(const ZooEntry& entry) {
  Model model = entry.build(kSampleShape, kClasses);
  Rng rng(7);
  init_parameters(model, rng);
  perturb_vectors(model, rng);
  warm_up_batch_norm(model, rng);
  return model;
}

Comparison compare_backend(Model& model, Executable& plan, int64_t batch, uint64_t seed) {
  Shape shape = kSampleShape;
  shape.insert(shape.begin(), batch);
  const Tensor input = random_tensor(shape, seed);
  const Tensor want = model.forward(input, ForwardContext{Mode::kEval, nullptr});
  const Tensor& got = plan.run(input);
  CHECK(got.shape() == Shape{batch, kClasses});
  return compare(want.values(), got.values(), kAtol, kRtol);
}

}  // namespace

TEST_CASE("every backend matches Model::forward on every zoo model", "[backend]") {
  for (const ZooEntry& entry : model_zoo()) {
    Model model = trained_looking_model(entry);
    for (const Backend* runnable : testing::runnable_backends()) {
      const Backend& backend = *runnable;
      const std::unique_ptr<Executable> plan = backend.lower(model);
      for (const int64_t batch : {int64_t{5}, int64_t{1}}) {
        const Comparison c =
            compare_backend(model, *plan, batch, 11 + static_cast<uint64_t>(batch));
        WARN(entry.name << " on " << backend.name << ", batch " << batch
                        << ": max|logits diff| = " << c.max_abs_diff);
        CHECK(c.within_tolerance);
      }
    }
  }
}

}  // namespace slim::testing
