// Knowledge distillation (methods/distillation/): Hinton's loss and its gradient, the
// teacher's logit cache and name checks, feature hints through Model::backward's extra
// gradients, deep mutual learning's peer, and the registered methods on the synthetic
// dataset with small MLPs.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/json_path.h"
#include "core/layers/linear.h"
#include "core/layers/relu.h"
#include "core/train/init.h"
#include "core/train/loss.h"
#include "core/train/trainer.h"
#include "datasets/batch_loader.h"
#include "datasets/synthetic.h"
#include "methods/distillation/feature_hint.h"
#include "methods/distillation/kd_loss.h"
#include "methods/distillation/mutual_peer.h"
#include "methods/distillation/teacher.h"
#include "methods/param_schema.h"
#include "methods/pruning/prunable_weights.h"
#include "methods/registry.h"
#include "models/mlp.h"
#include "models/zoo.h"

namespace slim {
namespace {

Tensor normal_tensor(const Shape& shape, uint64_t seed, float stddev = 1.0f) {
  Tensor t(shape);
  Rng rng(seed);
  for (float& v : t.values()) v = rng.normal(0.0f, stddev);
  return t;
}

Model initialised(const std::string& name, uint64_t seed = 7) {
  Model model = find_model(name).build({1, 28, 28}, 10);
  Rng rng(seed);
  init_parameters(model, rng);
  return model;
}

std::vector<int64_t> first_indices(int64_t count) {
  std::vector<int64_t> indices(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) indices[static_cast<size_t>(i)] = i;
  return indices;
}

Recipe one_epoch_recipe(uint64_t seed = 3) {
  Recipe recipe;
  recipe.epochs = 1;
  recipe.batch_size = 64;
  recipe.lr = 0.05f;
  recipe.seed = seed;
  return recipe;
}

// Runs a registered method as a sweep would, with `teacher` as the job's baseline.
nlohmann::json run_method(const std::string& name, Model& model, const nlohmann::json& given,
                          const Dataset& dataset, const Model* baseline,
                          const Recipe& recipe = one_epoch_recipe()) {
  const Method& method = find_method(name);
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  MethodContext context{dataset, recipe, first_indices(256), recipe.seed, quiet};
  context.baseline_model = baseline;
  const nlohmann::json params = resolve_params(method.params, given, JsonPath("test"));
  if (method.check_params) method.check_params(params, JsonPath("test"));
  method.apply(model, params, context);
  return context.report;
}

float max_parameter_change(Model& a, Model& b) {
  float change = 0.0f;
  for (auto& [name, parameter] : a.parameters()) {
    change = std::max(change, max_abs_diff(parameter->value, b.parameter(name).value));
  }
  return change;
}

// Central differences of `loss` w.r.t. every element of `target`, against `analytic`;
// returns the largest |diff| - (abs_tol + rel_tol |numeric|) (<= 0 passes) and the
// largest |diff| in `max_diff`.
template <typename Loss>
double finite_difference_excess(Tensor& target, const Tensor& analytic, Loss&& loss, float step,
                                double abs_tol, double rel_tol, double& max_diff) {
  double excess = -1.0;
  for (int64_t i = 0; i < target.numel(); ++i) {
    const float saved = target[i];
    target[i] = saved + step;
    const double plus = loss();
    target[i] = saved - step;
    const double minus = loss();
    target[i] = saved;
    const double numeric = (plus - minus) / (2.0 * step);
    const double diff = std::fabs(numeric - analytic[i]);
    max_diff = std::max(max_diff, diff);
    excess = std::max(excess, diff - (abs_tol + rel_tol * std::fabs(numeric)));
  }
  return excess;
}

double weighted_sum(const Tensor& y, const Tensor& r) {
  double total = 0.0;
  for (int64_t i = 0; i < y.numel(); ++i) total += static_cast<double>(y[i]) * r[i];
  return total;
}

}  // namespace

TEST_CASE("the KD loss gradient matches finite differences", "[distillation]") {
  const std::vector<int32_t> labels = {0, 3, 4, 1};
  for (const float t : {1.0f, 2.0f, 4.0f, 20.0f}) {
    for (const float alpha : {0.0f, 0.5f, 0.9f, 1.0f}) {
      Tensor student = normal_tensor({4, 5}, 11, 2.0f);
      const Tensor teacher_probs = teacher_probabilities(normal_tensor({4, 5}, 12, 3.0f), t);
      const KdWeights weights = hinton_weights(t, alpha);
      Tensor grad;
      kd_loss(student, teacher_probs, labels, weights, &grad);
      auto loss = [&] {
        return static_cast<double>(kd_loss(student, teacher_probs, labels, weights, nullptr).total);
      };
      // The KD term is smooth on the scale of T, so the step grows with T (up to where the
      // labels' term would notice) to keep float rounding of the T²-scaled value small
      // against the difference.
      double max_diff = 0.0;
      const double excess = finite_difference_excess(student, grad, loss, 0.01f * std::min(t, 4.0f),
                                                     1e-3, 1e-2, max_diff);
      INFO("T " << t << ", alpha " << alpha << ": max|numeric - analytic| " << max_diff);
      CHECK(excess <= 0.0);
    }
  }
}

TEST_CASE("the KD term carries Hinton's T^2 factor", "[distillation]") {
  const std::vector<int32_t> labels = {2, 0, 1};
  // Zero-mean logit rows, the setting of Hinton et al.'s high-temperature limit.
  Tensor student = normal_tensor({3, 6}, 21);
  Tensor teacher = normal_tensor({3, 6}, 22, 2.0f);
  for (Tensor* logits : {&student, &teacher}) {
    for (int64_t b = 0; b < 3; ++b) {
      float mean = 0.0f;
      for (int64_t k = 0; k < 6; ++k) mean += (*logits)[b * 6 + k] / 6.0f;
      for (int64_t k = 0; k < 6; ++k) (*logits)[b * 6 + k] -= mean;
    }
  }
  for (const float t : {1.0f, 3.0f, 10.0f, 100.0f}) {
    const Tensor probs = teacher_probabilities(teacher, t);
    Tensor kd_grad, soft_grad;
    const KdLossValue value = kd_loss(student, probs, labels, hinton_weights(t, 1.0f), &kd_grad);
    soft_cross_entropy(student, probs, t, &soft_grad);
    // With alpha = 1 the gradient is exactly T² times the plain soft cross-entropy's.
    for (int64_t i = 0; i < kd_grad.numel(); ++i) CHECK(kd_grad[i] == t * t * soft_grad[i]);
    CHECK(value.total == t * t * value.kl);
    // And that keeps it at the size of the logit difference: for large T it tends to
    // (z_s - z_t) / (K B) whatever T is, while the unscaled gradient falls as 1/T².
    if (t >= 10.0f) {
      double worst = 0.0;
      for (int64_t i = 0; i < kd_grad.numel(); ++i) {
        const double limit = (student[i] - teacher[i]) / (6.0 * 3.0);
        worst = std::max(worst, std::fabs(kd_grad[i] - limit));
      }
      INFO("T " << t << ": max|T^2-scaled gradient - (z_s - z_t)/(K B)| " << worst);
      CHECK(worst < 0.6 / t);  // the first neglected term is O(|z|^2 / T)
    }
  }
}

TEST_CASE("KL and its gradient vanish when the student matches the teacher", "[distillation]") {
  const Tensor logits = normal_tensor({5, 10}, 31, 3.0f);
  const std::vector<int32_t> labels = {1, 2, 3, 4, 5};
  for (const float t : {1.0f, 4.0f, 20.0f}) {
    const Tensor probs = teacher_probabilities(logits, t);
    Tensor grad, ce_grad;
    const KdLossValue value = kd_loss(logits, probs, labels, hinton_weights(t, 1.0f), &grad);
    float largest = 0.0f;
    for (const float g : grad.values()) largest = std::max(largest, std::fabs(g));
    INFO("T " << t << ": KL " << value.kl << ", max|grad| " << largest);
    CHECK(std::fabs(value.kl) < 1e-6f);
    CHECK(largest < 1e-6f);
    // With alpha < 1 only the labels' share of the gradient is left.
    const KdLossValue mixed = kd_loss(logits, probs, labels, hinton_weights(t, 0.75f), &grad);
    const float ce = cross_entropy(logits, labels, &ce_grad);
    CHECK(mixed.ce == ce);
    float mixed_diff = 0.0f;
    for (int64_t i = 0; i < grad.numel(); ++i) {
      mixed_diff = std::max(mixed_diff, std::fabs(grad[i] - 0.25f * ce_grad[i]));
    }
    CHECK(mixed_diff < 1e-6f);
  }
}

TEST_CASE("extra output gradients in backward match finite differences", "[distillation]") {
  Model model("tiny", {6}, 4);
  model.add("fc1", std::make_unique<Linear>(6, 5));
  model.add("relu1", std::make_unique<ReLU>());
  model.add("fc2", std::make_unique<Linear>(5, 4));
  Rng rng(41);
  init_parameters(model, rng);
  const Tensor x = normal_tensor({3, 6}, 42);
  const ForwardContext eval{Mode::kEval, nullptr};
  const Tensor upstream = normal_tensor({3, 4}, 43);
  const Tensor at_fc1 = normal_tensor({3, 5}, 44);
  const Tensor at_relu1 = normal_tensor({3, 5}, 45);
  const Tensor at_output = normal_tensor({3, 4}, 46);
  // L = <upstream + at_output, y> + <at_fc1, fc1> + <at_relu1, relu1>.
  auto loss = [&] {
    const Tensor y = model.forward(x, eval);
    return weighted_sum(y, upstream) + weighted_sum(y, at_output) +
           weighted_sum(model.activation(0), at_fc1) + weighted_sum(model.activation(1), at_relu1);
  };
  model.forward(x, eval);
  model.zero_grad();
  const std::vector<std::pair<int, const Tensor*>> extra = {
      {0, &at_fc1}, {1, &at_relu1}, {2, &at_output}};
  model.backward(upstream, extra);
  for (auto& [name, parameter] : model.parameters()) {
    const Tensor analytic = parameter->grad;
    double max_diff = 0.0;
    const double excess =
        finite_difference_excess(parameter->value, analytic, loss, 1e-3f, 2e-3, 1e-2, max_diff);
    INFO(name << ": max|numeric - analytic| " << max_diff);
    CHECK(excess <= 0.0);
  }
  // Without extras, the overload is the plain backward.
  model.forward(x, eval);
  model.zero_grad();
  model.backward(upstream);
  const Tensor plain = model.parameter("fc1.weight").grad;
  model.zero_grad();
  model.backward(upstream, {});
  CHECK(max_abs_diff(plain, model.parameter("fc1.weight").grad) == 0.0f);
}

TEST_CASE("a hint regressor's loss gradient is exact and its step moves it", "[distillation]") {
  SECTION("linear, for [batch, features]") {
    Rng rng(51);
    HintRegressor regressor({4, 3}, {4, 7}, "s", "t", SgdOptions{}, rng);
    CHECK(regressor.describe() == "linear 3->7");
    Tensor student = normal_tensor({4, 3}, 52);
    const Tensor teacher = normal_tensor({4, 7}, 53);
    Tensor grad, scratch;
    const float value = regressor.loss(student, teacher, 2.0f, grad);
    CHECK(value > 0.0f);
    auto loss = [&] {
      return static_cast<double>(regressor.loss(student, teacher, 2.0f, scratch));
    };
    double max_diff = 0.0;
    CHECK(finite_difference_excess(student, grad, loss, 1e-2f, 1e-4, 1e-2, max_diff) <= 0.0);
    INFO("max|numeric - analytic| " << max_diff);
    Model before = regressor.model();
    regressor.loss(student, teacher, 2.0f, grad);
    regressor.step(0.1f);
    const float moved = max_parameter_change(regressor.model(), before);
    INFO("largest regressor change after one step " << moved);
    CHECK(moved > 0.0f);
    CHECK(regressor.loss(student, teacher, 2.0f, grad) < value);
  }
  SECTION("1x1 convolution, for feature maps of one size") {
    Rng rng(54);
    HintRegressor regressor({2, 3, 4, 4}, {2, 5, 4, 4}, "s", "t", SgdOptions{}, rng);
    CHECK(regressor.describe() == "conv1x1 3->5");
    Tensor student = normal_tensor({2, 3, 4, 4}, 55);
    const Tensor teacher = normal_tensor({2, 5, 4, 4}, 56);
    Tensor grad, scratch;
    regressor.loss(student, teacher, 1.0f, grad);
    auto loss = [&] {
      return static_cast<double>(regressor.loss(student, teacher, 1.0f, scratch));
    };
    double max_diff = 0.0;
    CHECK(finite_difference_excess(student, grad, loss, 1e-2f, 1e-4, 1e-2, max_diff) <= 0.0);
    INFO("max|numeric - analytic| " << max_diff);
  }
  SECTION("other shapes are refused, naming both nodes") {
    Rng rng(57);
    CHECK_THROWS_WITH(
        HintRegressor({2, 3, 4, 4}, {2, 5, 2, 2}, "relu1", "pool2", SgdOptions{}, rng),
        Catch::Contains("'relu1'") && Catch::Contains("'pool2'") && Catch::Contains("same H x W"));
    CHECK_THROWS_AS(HintRegressor({2, 3}, {2, 5, 2, 2}, "a", "b", SgdOptions{}, rng), UserError);
  }
}

TEST_CASE("the teacher's logit cache equals its eval-mode forward", "[distillation]") {
  const Dataset dataset = make_synthetic();
  // Heavy dropout: the cache must be taken with it switched off.
  Model teacher = build_mlp("tiny-dropout", dataset.sample_shape, {32}, 10, 0.5f);
  Rng rng(61);
  init_parameters(teacher, rng);
  const TeacherLogits cache(teacher, dataset, dataset.train);
  CHECK(cache.num_samples() == dataset.train.count);

  BatchLoader loader(dataset, dataset.train, BatchOptions{64, 99, false});
  Batch batch;
  loader.fill_batch(3, batch);
  Tensor cached;
  cache.gather(batch.indices, cached);
  const Tensor direct = teacher.forward(batch.x, ForwardContext{Mode::kEval, nullptr});
  Rng dropout(62);
  const Tensor with_dropout = teacher.forward(batch.x, ForwardContext{Mode::kTrain, &dropout});
  const float eval_diff = max_abs_diff(cached, direct);
  const float train_diff = max_abs_diff(cached, with_dropout);
  INFO("max|cache - eval forward| " << eval_diff << ", against a dropout forward " << train_diff);
  CHECK(eval_diff <= 1e-5f);  // batch 500 against 64: only GEMM rounding may differ
  CHECK(train_diff > 1e-2f);
}

TEST_CASE("bad teachers and peers are refused with the choices", "[distillation]") {
  const Method& distill = find_method("distill");
  const JsonPath at("sweep.json", "/pipelines/1/steps/0/params");
  auto params = [&](nlohmann::json given) { return resolve_params(distill.params, given, at); };
  try {
    distill.check_params(params({{"teacher", "mlp-9000"}}), at);
    FAIL("expected a UserError");
  } catch (const UserError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.find("sweep.json: /pipelines/1/steps/0/params/teacher: teacher 'mlp-9000'") == 0);
    for (const std::string choice : {"\"baseline\"", "lenet-300-100", "mlp-1200", "mlp-64"}) {
      CHECK(message.find(choice) != std::string::npos);
    }
  }
  CHECK_NOTHROW(distill.check_params(params({{"teacher", "baseline"}}), at));
  CHECK_NOTHROW(distill.check_params(params({{"teacher", "mlp-1200"}}), at));
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / "slimbench-distill-teacher.safetensors";
  std::ofstream(file) << "not checked until the job loads it";
  CHECK_NOTHROW(distill.check_params(params({{"teacher", file.string()}}), at));
  std::filesystem::remove(file);
  CHECK_THROWS_WITH(distill.check_params(params({{"hint_student", "relu1"}}), at),
                    Catch::Contains("hint_student and hint_teacher go together"));

  const Method& mutual = find_method("mutual_learning");
  CHECK_THROWS_WITH(
      mutual.check_params(resolve_params(mutual.params, {{"peer", "baseline"}}, at), at),
      Catch::Contains("peer 'baseline'") && Catch::Contains("\"self\"") &&
          Catch::Contains("mlp-800"));
  const Method& qat = find_method("qat");
  CHECK_NOTHROW(qat.check_params(resolve_params(qat.params, nlohmann::json::object(), at), at));
  CHECK_THROWS_WITH(qat.check_params(resolve_params(qat.params, {{"teacher", "fp32"}}, at), at),
                    Catch::Contains("teacher 'fp32'"));

  // A teacher for other inputs or classes fails when the job applies it.
  const Model mnist_like = find_model("mlp-64").build({1, 28, 28}, 10);
  CHECK_THROWS_WITH(check_teacher_fits(find_model("mlp-64").build({1, 28, 28}, 5), mnist_like),
                    Catch::Contains("5 classes") && Catch::Contains("cannot teach"));
  CHECK_THROWS_AS(check_teacher_fits(find_model("mlp-64").build({3, 32, 32}, 10), mnist_like),
                  UserError);
}

TEST_CASE("distill from scratch with alpha 0 retraces the baseline exactly", "[distillation]") {
  const Dataset dataset = make_synthetic();
  const Recipe recipe = one_epoch_recipe(4);
  // The baseline as the harness trains it: the seed's init stream, then the recipe.
  Model baseline = find_model("mlp-64").build(dataset.sample_shape, dataset.num_classes);
  Rng init_rng = Rng(recipe.seed).split(kInitStream);
  init_parameters(baseline, init_rng);
  TrainHooks hooks;
  hooks.evaluate_each_epoch = false;
  train(baseline, dataset, recipe, hooks);

  Model student = baseline;
  const nlohmann::json report = run_method(
      "distill", student, {{"alpha", 0.0}, {"init", "scratch"}}, dataset, &baseline, recipe);
  const float diff = max_parameter_change(student, baseline);
  INFO("max|distilled - baseline| " << diff);
  CHECK(diff == 0.0f);
  const nlohmann::json& distill = report.at("distill");
  CHECK(distill.at("epochs").get<int>() == 1);
  CHECK(distill.at("teacher").get<std::string>() == "baseline");
  CHECK(distill.at("teacher_logits").get<std::string>() == "cached, one pass");
  CHECK(distill.at("teacher_test_accuracy").get<double>() > 0.2);
  CHECK(distill.at("final_kl").get<double>() > 0.0);
}

TEST_CASE("distill with init trained keeps pruned weights at zero", "[distillation]") {
  const Dataset dataset = make_synthetic();
  Model teacher = initialised("lenet-300-100");
  run_method("finetune", teacher, {{"epochs", 1}, {"lr_scale", 1.0}}, dataset, nullptr);
  Model student = teacher;
  run_method("prune", student, {{"sparsity", 0.7}}, dataset, nullptr);
  Model pruned = student;
  const nlohmann::json report =
      run_method("distill", student,
                 {{"init", "trained"}, {"epochs", 1}, {"lr_scale", 0.1}, {"temperature", 2.0}},
                 dataset, &teacher);
  int64_t masked = 0, masked_nonzero = 0;
  for (const PrunableWeight& weight : prunable_weights(student, LayerSelection::kAll)) {
    const Parameter& before = pruned.parameter(weight.name);
    CHECK(max_abs_diff(weight.parameter->mask, before.mask) == 0.0f);
    for (int64_t i = 0; i < weight.numel(); ++i) {
      if (weight.parameter->mask[i] != 0.0f) continue;
      ++masked;
      masked_nonzero += weight.parameter->value[i] != 0.0f;
    }
  }
  const float moved = max_parameter_change(student, pruned);
  INFO(masked << " masked weights, " << masked_nonzero << " of them non-zero; largest change "
              << moved);
  CHECK(masked > 0);
  CHECK(masked_nonzero == 0);
  CHECK(moved > 0.0f);
  CHECK(report.at("distill").at("init").get<std::string>() == "trained");
}

TEST_CASE("distill with a hint trains the regressor beside the student", "[distillation]") {
  const Dataset dataset = make_synthetic();
  Model teacher = initialised("lenet-300-100");
  run_method("finetune", teacher, {{"epochs", 1}, {"lr_scale", 1.0}}, dataset, nullptr);
  Model student = initialised("mlp-64", 8);
  Model start = student;
  const nlohmann::json report =
      run_method("distill", student,
                 {{"init", "trained"}, {"hint_student", "relu1"}, {"hint_teacher", "relu2"}},
                 dataset, &teacher);
  const nlohmann::json& distill = report.at("distill");
  INFO(distill.dump());
  CHECK(distill.at("hint").at("regressor").get<std::string>() == "linear 64->100");
  CHECK(distill.at("teacher_logits").get<std::string>() != "cached, one pass");
  CHECK(distill.at("final_hint_loss").get<double>() > 0.0);
  CHECK(max_parameter_change(student, start) > 0.0f);
  Model unknown = initialised("mlp-64", 8);
  CHECK_THROWS_WITH(
      run_method("distill", unknown, {{"hint_student", "fc9"}, {"hint_teacher", "relu1"}}, dataset,
                 &teacher),
      Catch::Contains("no layer 'fc9'") && Catch::Contains("relu1"));
}

TEST_CASE("mutual learning updates both networks, the peer from the student", "[distillation]") {
  const Dataset dataset = make_synthetic();
  const Recipe recipe = one_epoch_recipe(5);
  const int64_t steps =
      BatchLoader(dataset, dataset.train, BatchOptions{recipe.batch_size}).num_batches();
  const Model student_start = initialised("mlp-64", 1);
  const Model peer_start = initialised("mlp-64", 2);

  // Trains student and peer together; returns the peer.
  auto train_pair = [&](float alpha, Model& student) {
    MutualPeer peer(peer_start, recipe, steps, mutual_weights(2.0f, alpha), 77);
    TrainHooks hooks;
    peer.attach(hooks);
    hooks.evaluate_each_epoch = false;
    train(student, dataset, recipe, hooks);
    CHECK(peer.last_epoch().accuracy > 0.0);
    return Model(peer.model());
  };
  Model student = student_start;
  Model peer = train_pair(0.5f, student);
  Model uncoupled_student = student_start;
  Model uncoupled_peer = train_pair(0.0f, uncoupled_student);
  // The peer trained on cross-entropy alone, in the same batches and schedule.
  Model alone = peer_start;
  TrainHooks plain;
  plain.evaluate_each_epoch = false;
  train(alone, dataset, recipe, plain);

  Model s0 = student_start, p0 = peer_start;
  const float student_moved = max_parameter_change(student, s0);
  const float peer_moved = max_parameter_change(peer, p0);
  const float coupling = max_parameter_change(peer, uncoupled_peer);
  const float alpha0_vs_alone = max_parameter_change(uncoupled_peer, alone);
  INFO("student moved " << student_moved << ", peer moved " << peer_moved
                        << ", peer with alpha 0.5 vs 0: " << coupling
                        << ", peer with alpha 0 vs trained alone: " << alpha0_vs_alone);
  CHECK(student_moved > 0.0f);
  CHECK(peer_moved > 0.0f);
  CHECK(coupling > 1e-4f);
  CHECK(alpha0_vs_alone == 0.0f);
}

TEST_CASE("mutual_learning reports both networks", "[distillation]") {
  const Dataset dataset = make_synthetic();
  Model model = initialised("mlp-64");
  const nlohmann::json report =
      run_method("mutual_learning", model, {{"peer", "lenet-300-100"}}, dataset, nullptr);
  const nlohmann::json& dml = report.at("mutual_learning");
  INFO(dml.dump());
  CHECK(dml.at("peer_architecture").get<std::string>() == "lenet-300-100");
  CHECK(dml.at("init").get<std::string>() == "scratch");
  for (const char* key :
       {"final_train_accuracy", "peer_final_train_accuracy", "peer_test_accuracy"}) {
    CHECK(dml.at(key).get<double>() > 0.2);  // 10 classes: above chance after one epoch
  }
}

}  // namespace slim
