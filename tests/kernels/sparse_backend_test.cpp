// The sparse backend on zoo models pruned in the test: its logits against Model::forward
// and the openblas backend, and the per-layer formats its lowering records.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/layers/linear.h"
#include "core/train/init.h"
#include "kernels/backend.h"
#include "kernels/sparse/csr_matrix.h"
#include "kernels/sparse/sparse24_matrix.h"
#include "kernels/sparse/sparse_executor.h"
#include "models/zoo.h"
#include "tests/kernels/sparse_test_weights.h"
#include "tests/kernels/test_tensors.h"

namespace slim::testing {
namespace {

const Shape kImage = {1, 28, 28};
constexpr int kClasses = 10;
// The sparse kernels sum each output's products in another order than the dense GEMMs
// (and skip the zeros), so logits differ by float reassociation only, as between the
// dense backends (backend_zoo_test.cpp).
constexpr float kAtol = 1e-4f;
constexpr float kRtol = 1e-4f;

Model initialised(std::string_view name) {
  Model model = find_model(name).build(kImage, kClasses);
  Rng rng(3);
  init_parameters(model, rng);
  // Non-zero biases, so a dropped bias shows.
  for (auto& [param_name, param] : model.parameters()) {
    if (param->value.rank() == 1) {
      for (float& v : param->value.values()) v += 0.1f * rng.normal();
    }
  }
  return model;
}

Linear& linear(Model& model, std::string_view node) {
  return dynamic_cast<Linear&>(model.layer(node));
}

void prune_to_fraction(Model& model, std::string_view node, double fraction) {
  prune_smallest(linear(model, node).weight().value.values(), fraction);
}

void prune_to_2_4(Model& model, std::string_view node) {
  Linear& layer = linear(model, node);
  prune_2_4(layer.weight().value.values(), layer.out_features(), layer.in_features());
}

std::vector<std::string> formats(const SparseExecutable& plan) {
  std::vector<std::string> names;
  for (const LinearLowering& layer : plan.lowering()) {
    names.emplace_back(sparse_format_name(layer.format));
  }
  return names;
}

// The sparse plan against Model::forward and the openblas backend at batch 1 (the
// per-row kernels) and batch 3 and 70 (the transposed ones).
void check_logits(Model& model, Executable& plan, std::string_view what) {
  const std::unique_ptr<Executable> openblas = find_backend("openblas").lower(model);
  for (const int64_t batch : {int64_t{1}, int64_t{3}, int64_t{70}}) {
    Shape shape = kImage;
    shape.insert(shape.begin(), batch);
    const Tensor input = random_tensor(shape, 40 + static_cast<uint64_t>(batch));
    const Tensor want = model.forward(input, ForwardContext{Mode::kEval, nullptr});
    const Tensor dense = openblas->run(input);
    const Tensor& got = plan.run(input);
    REQUIRE(got.shape() == Shape{batch, kClasses});
    const Comparison vs_forward = compare(want.values(), got.values(), kAtol, kRtol);
    const Comparison vs_openblas = compare(dense.values(), got.values(), kAtol, kRtol);
    WARN(what << ", batch " << batch << ": max|logits diff| vs Model::forward "
              << vs_forward.max_abs_diff << ", vs openblas " << vs_openblas.max_abs_diff);
    CHECK(vs_forward.within_tolerance);
    CHECK(vs_openblas.within_tolerance);
  }
}

}  // namespace

TEST_CASE("sparse backend runs lenet-300-100 pruned to 90% as CSR", "[sparse][backend]") {
  Model model = initialised("lenet-300-100");
  for (const char* node : {"fc1", "fc2", "fc3"}) prune_to_fraction(model, node, 0.9);
  const std::unique_ptr<SparseExecutable> plan = lower_sparse(model);
  CHECK(formats(*plan) == std::vector<std::string>{"csr", "csr", "csr"});
  const LinearLowering& fc1 = plan->lowering()[0];
  CHECK(fc1.node == "fc1");
  CHECK(fc1.nonzeros == 23520);  // 10% of 300 x 784
  CHECK(fc1.sparsity == Approx(0.9));
  CHECK(fc1.weight_bytes == csr_stored_bytes(300, 23520));
  check_logits(model, *plan, "lenet-300-100 at 90% (csr)");
}

SparseLoweringPolicy with_2_4() {
  SparseLoweringPolicy policy;
  policy.use_2_4 = true;
  return policy;
}

TEST_CASE("sparse backend runs lenet-300-100 pruned to 2:4 as 2:4 when asked",
          "[sparse][backend]") {
  Model model = initialised("lenet-300-100");
  for (const char* node : {"fc1", "fc2", "fc3"}) prune_to_2_4(model, node);
  // By default 2:4 layers (50% zeros) stay dense: the 2:4 kernel is slower than dense here.
  CHECK(formats(*lower_sparse(model)) == std::vector<std::string>{"dense", "dense", "dense"});
  const std::unique_ptr<SparseExecutable> plan = lower_sparse(model, with_2_4());
  CHECK(formats(*plan) == std::vector<std::string>{"2:4", "2:4", "2:4"});
  CHECK(plan->lowering()[1].weight_bytes == sparse24_stored_bytes(100, 300));
  check_logits(model, *plan, "lenet-300-100 at 2:4");
}

TEST_CASE("sparse backend keeps dense and mildly sparse layers on OpenBLAS", "[sparse][backend]") {
  Model model = initialised("lenet-300-100");
  prune_to_2_4(model, "fc1");
  prune_to_fraction(model, "fc2", 0.9);
  prune_to_fraction(model, "fc3", 0.5);  // below the CSR threshold and not 2:4
  const std::unique_ptr<SparseExecutable> plan = lower_sparse(model, with_2_4());
  CHECK(formats(*plan) == std::vector<std::string>{"2:4", "csr", "dense"});
  CHECK(plan->lowering()[2].weight_bytes == 10 * 100 * 4);
  // The free function the harness can call without lowering agrees with the plan.
  CHECK(describe_sparse_lowering(model, with_2_4()) == plan->describe_lowering());
  CHECK(plan->describe_lowering()[1]["format"] == "csr");
  check_logits(model, *plan, "lenet-300-100 mixed");

  const std::unique_ptr<SparseExecutable> dense = lower_sparse(initialised("lenet-300-100"));
  CHECK(formats(*dense) == std::vector<std::string>{"dense", "dense", "dense"});
}

TEST_CASE("sparse backend runs lenet-5's fc layers sparse and its convolutions dense",
          "[sparse][backend]") {
  Model model = initialised("lenet-5");
  prune_to_fraction(model, "fc1", 0.95);
  prune_to_2_4(model, "fc2");
  const std::unique_ptr<SparseExecutable> plan = lower_sparse(model, with_2_4());
  REQUIRE(plan->lowering().size() == 2);
  CHECK(plan->lowering()[0].in_features == 800);
  CHECK(formats(*plan) == std::vector<std::string>{"csr", "2:4"});
  check_logits(model, *plan, "lenet-5 fc1 95% + fc2 2:4");
}

TEST_CASE("the backend table's sparse entry lowers to the sparse executor", "[sparse][backend]") {
  const Backend& backend = find_backend("sparse");
  CHECK(backend.unavailable_reason().empty());
  Model model = initialised("lenet-300-100");
  const std::unique_ptr<Executable> plan = backend.lower(model);
  CHECK(dynamic_cast<SparseExecutable*>(plan.get()) != nullptr);
}

}  // namespace slim::testing
