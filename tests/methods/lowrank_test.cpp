// Low-rank methods (methods/lowrank/): the rank rules on hand-computed values, exact
// factor chains through Model::forward (full rank, and the methods on weights whose true
// rank they keep), Tucker-2 error against rank, the zoo models, layers left dense, the
// inputs the methods refuse, and svd -> finetune -> static_ptq.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json_path.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"
#include "core/layers/relu.h"
#include "core/train/init.h"
#include "datasets/batch_loader.h"
#include "datasets/registry.h"
#include "kernels/backend.h"
#include "methods/lowrank/channel_svd.h"
#include "methods/lowrank/factored_graph.h"
#include "methods/lowrank/rank_selection.h"
#include "methods/lowrank/svd_linear.h"
#include "methods/lowrank/truncated_svd.h"
#include "methods/lowrank/tucker2.h"
#include "methods/lowrank/tucker2_decomposition.h"
#include "methods/param_schema.h"
#include "methods/registry.h"
#include "models/zoo.h"

namespace slim {
namespace {

using Names = std::vector<std::string>;

Tensor random_tensor(Shape shape, Rng& rng) {
  Tensor t(std::move(shape));
  for (float& v : t.values()) v = rng.uniform(-1.0f, 1.0f);
  return t;
}

// A [rows, cols] matrix of rank `rank` (product of two random factors).
Tensor low_rank_matrix(int64_t rows, int64_t cols, int64_t rank, Rng& rng) {
  const Tensor left = random_tensor({rows, rank}, rng);
  const Tensor right = random_tensor({rank, cols}, rng);
  Tensor out({rows, cols});
  out.as_matrix() = left.as_matrix() * right.as_matrix();
  return out;
}

// A [c_out, c_in, k, k] conv weight of multilinear rank (rank_out, rank_in):
// G x_0 A x_1 B with random G, A, B.
Tensor low_rank_conv_weight(int64_t c_out, int64_t c_in, int64_t k, int64_t rank_out,
                            int64_t rank_in, Rng& rng) {
  Tucker2Factors factors;
  factors.kernel_size = k;
  factors.core = random_tensor({rank_out, rank_in * k * k}, rng).as_matrix().cast<double>();
  factors.out_factor = random_tensor({c_out, rank_out}, rng).as_matrix().cast<double>();
  factors.in_factor = random_tensor({c_in, rank_in}, rng).as_matrix().cast<double>();
  return tucker2_reconstruct(factors);
}

float max_output_diff(Model& a, Model& b, const Tensor& input) {
  const Tensor expected = a.forward(input, ForwardContext{});
  const Tensor& actual = b.forward(input, ForwardContext{});
  REQUIRE(actual.shape() == expected.shape());
  return max_abs_diff(actual, expected);
}

double relative_error(const Tensor& reference, const Tensor& approximation) {
  double error = 0.0;
  double norm = 0.0;
  for (int64_t i = 0; i < reference.numel(); ++i) {
    const double diff = double{reference[i]} - double{approximation[i]};
    error += diff * diff;
    norm += double{reference[i]} * double{reference[i]};
  }
  return std::sqrt(error / norm);
}

Names node_names(const Model& model) {
  Names names;
  for (const Node& node : model.nodes()) names.push_back(node.name);
  return names;
}

Names input_names(const Model& model, const std::string& node) {
  Names names;
  for (int producer : model.nodes()[static_cast<size_t>(model.node_index(node))].inputs) {
    names.push_back(producer < 0 ? std::string(kModelInput)
                                 : model.nodes()[static_cast<size_t>(producer)].name);
  }
  return names;
}

// The first node of `node`'s factor chain: follow inputs named "<node>.<role>" back.
std::string chain_head(const Model& model, const std::string& node) {
  std::string head = node;
  for (;;) {
    const Names inputs = input_names(model, head);
    if (inputs.size() != 1 || inputs[0].rfind(node + ".", 0) != 0) return head;
    head = inputs[0];
  }
}

const Dataset& synthetic() {
  static const Dataset dataset = load_dataset("synthetic");
  return dataset;
}

nlohmann::json run_method(Model& model, const std::string& name, const nlohmann::json& given,
                          MethodContext& context) {
  const Method& method = find_method(name);
  method.apply(model, resolve_params(method.params, given, JsonPath("test")), context);
  return context.report.contains(name) ? context.report.at(name) : nlohmann::json();
}

nlohmann::json run_method(Model& model, const std::string& name, const nlohmann::json& given) {
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  MethodContext context{synthetic(), Recipe{}, {}, 0, quiet};
  return run_method(model, name, given, context);
}

// The synthetic dataset cut to 128 training samples, for a short fine-tuning epoch.
Dataset short_synthetic() {
  Dataset dataset = load_dataset("synthetic");
  dataset.train.count = 128;
  dataset.train.images.resize(static_cast<size_t>(128 * dataset.sample_numel()));
  dataset.train.labels.resize(128);
  return dataset;
}

Model initialised_zoo(const std::string& name) {
  Model model = find_model(name).build({1, 28, 28}, 10);
  Rng rng(11);
  init_parameters(model, rng);
  return model;
}

// fc1 (in -> hidden), relu, fc2 (hidden -> 10): fc2 is the classifier.
Model two_layer_mlp(int64_t in, int64_t hidden, Rng& rng) {
  Model model("test-mlp", {in}, 10);
  auto fc1 = std::make_unique<Linear>(in, hidden);
  fc1->weight().value = random_tensor({hidden, in}, rng);
  fc1->bias().value = random_tensor({hidden}, rng);
  auto fc2 = std::make_unique<Linear>(hidden, 10);
  fc2->weight().value = random_tensor({10, hidden}, rng);
  fc2->bias().value = random_tensor({10}, rng);
  model.add("fc1", std::move(fc1));
  model.add("relu", std::make_unique<ReLU>());
  model.add("fc2", std::move(fc2));
  return model;
}

// One strided, padded conv with bias, then a ReLU: stride and padding must carry over.
Model one_conv_model(const Tensor& weight, Rng& rng) {
  const int64_t c_out = weight.dim(0);
  const int64_t c_in = weight.dim(1);
  Model model("test-conv", {c_in, 9, 9}, 10);
  auto conv = std::make_unique<Conv2d>(Conv2dOptions{c_in, c_out, weight.dim(2), 2, 1, true});
  conv->weight().value = weight;
  conv->bias().value = random_tensor({c_out}, rng);
  model.add("conv", std::move(conv));
  model.add("relu", std::make_unique<ReLU>());
  return model;
}

Model with_chain(const Model& model, const std::string& node, FactorChain chain) {
  std::map<std::string, FactorChain> chains;
  chains.emplace(node, std::move(chain));
  return replace_with_chains(model, std::move(chains), "test");
}

}  // namespace

TEST_CASE("rank rules on hand-computed singular values and sizes", "[lowrank]") {
  const std::vector<double> s = {4, 2, 1, 1};  // s^2 = 16, 4, 1, 1; total 22
  // energy: the smallest r with cumulative s^2 >= keep * 22
  CHECK(rank_for_energy(s, 0.7) == 1);   // 15.4 <= 16
  CHECK(rank_for_energy(s, 0.8) == 2);   // 17.6 > 16, <= 20
  CHECK(rank_for_energy(s, 0.95) == 3);  // 20.9 > 20, <= 21
  CHECK(rank_for_energy(s, 1.0) == 4);
  CHECK(kept_energy(s, 2) == Approx(20.0 / 22.0));
  CHECK(kept_energy(s, 4) == 1.0);
  CHECK(kept_energy(std::vector<double>{0, 0}, 1) == 1.0);

  // params: floor(keep * m*n / (m+n))
  CHECK(rank_for_params(300, 784, 0.5) == 108);  // 117600 / 1084 = 108.5
  CHECK(rank_for_params(100, 300, 0.5) == 37);   // 15000 / 400 = 37.5
  CHECK(rank_for_params(4, 4, 1.0) == 2);        // 16 / 8
  CHECK(rank_for_params(10, 10, 0.1) == 1);      // 10 / 20 = 0.5, at least 1
  CHECK(rank_for_params(30, 20, 0.2) == 2);      // 120 / 50 = 2.4
  CHECK(rank_for_params(20, 20, 0.7) == 7);      // 280 / 40, an integer on paper
  // rank: round(keep * min(m, n)), halves away from zero
  CHECK(rank_for_fraction(60, 40, 0.5) == 20);
  CHECK(rank_for_fraction(60, 40, 0.3) == 12);
  CHECK(rank_for_fraction(16, 9, 0.5) == 5);  // 4.5
  CHECK(rank_for_fraction(60, 40, 0.01) == 1);

  CHECK(select_rank(RankRule::kEnergy, s, 4, 6, 0.8) == 2);
  CHECK(parse_rank_rule("energy") == RankRule::kEnergy);
  CHECK_THROWS_WITH(parse_rank_rule("vbmf"),
                    "unknown rank rule 'vbmf'; valid choices: params, rank, energy");
}

TEST_CASE("a full-rank SVD chain reproduces a Linear through Model::forward", "[lowrank]") {
  Rng rng(1);
  Model model = two_layer_mlp(40, 60, rng);
  const Linear& fc1 = dynamic_cast<const Linear&>(model.layer("fc1"));
  const MatrixSvd svd = thin_svd(fc1.weight().value);
  REQUIRE(svd.singular_values.size() == 40);
  Model factored = with_chain(model, "fc1", factor_linear("fc1", fc1, svd, 40));
  CHECK(node_names(factored) == Names{"fc1.svd_in", "fc1", "relu", "fc2"});
  const float diff = max_output_diff(model, factored, random_tensor({8, 40}, rng));
  WARN("full-rank svd of a 60x40 Linear: max |diff| = " << diff);
  CHECK(diff <= 1e-4f);

  // Truncated, the factors' product is the best rank-r approximation: its relative
  // squared error is the energy the truncation drops (Eckart-Young).
  for (int64_t rank : {5, 20, 35}) {
    const BalancedFactors factors = balanced_factors(svd, rank);
    Tensor product({60, 40});
    product.as_matrix() = factors.second.as_matrix() * factors.first.as_matrix();
    const double error = relative_error(fc1.weight().value, product);
    INFO("rank " << rank);
    CHECK(error * error == Approx(1.0 - kept_energy(svd.singular_values, rank)).margin(1e-5));
  }
}

TEST_CASE("the svd method factors a Linear exactly at the rank it truly has", "[lowrank]") {
  Rng rng(2);
  Model model = two_layer_mlp(40, 60, rng);
  model.parameter("fc1.weight").value = low_rank_matrix(60, 40, 5, rng);
  Model original = model;
  // rank: round(0.125 * 40) = 5
  const nlohmann::json report = run_method(model, "svd", {{"rank_by", "rank"}, {"keep", 0.125}});
  CHECK(node_names(model) == Names{"fc1.svd_in", "fc1", "relu", "fc2"});
  CHECK(model.parameter("fc1.svd_in.weight").value.shape() == Shape{5, 40});
  CHECK(model.parameter("fc1.weight").value.shape() == Shape{60, 5});
  const float diff = max_output_diff(original, model, random_tensor({8, 40}, rng));
  WARN("svd of a rank-5 60x40 Linear at rank 5: max |diff| = " << diff);
  CHECK(diff <= 1e-4f);

  REQUIRE(report.at("per_layer").size() == 1);
  const nlohmann::json& fc1 = report.at("per_layer").at(0);
  CHECK(fc1.at("node") == "fc1");
  CHECK(fc1.at("m") == 60);
  CHECK(fc1.at("n") == 40);
  CHECK(fc1.at("rank") == 5);
  CHECK(fc1.at("full_rank") == 40);
  CHECK(fc1.at("kept_energy").get<double>() == Approx(1.0).margin(1e-9));
  CHECK(fc1.at("params_before") == 60 * 40 + 60);
  CHECK(fc1.at("params_after") == 5 * (60 + 40) + 60);
  CHECK(fc1.at("skipped") == false);
  CHECK(fc1.at("nodes") == Names{"fc1.svd_in", "fc1"});
  CHECK(report.at("excluded").at(0).at("node") == "fc2");
  CHECK(report.at("rank_by") == "rank");
  CHECK(report.at("keep") == 0.125);
  CHECK(report.at("parameters_before") == original.parameter_count());
  CHECK(report.at("parameters_after") == model.parameter_count());
}

TEST_CASE("Tucker-2 error never grows with the ranks and vanishes at full rank", "[lowrank]") {
  Rng rng(3);
  const Tensor weight = random_tensor({12, 8, 3, 3}, rng);
  const Tucker2Spectra spectra = tucker2_spectra(weight);
  REQUIRE(spectra.out_mode.singular_values.size() == 12);
  REQUIRE(spectra.in_mode.singular_values.size() == 8);
  double previous = 1.0;
  for (auto [rank_out, rank_in] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 1}, {2, 1}, {2, 2}, {4, 3}, {6, 5}, {9, 7}, {12, 7}, {12, 8}}) {
    const double error = relative_error(
        weight, tucker2_reconstruct(tucker2_factors(weight, spectra, rank_out, rank_in)));
    WARN("tucker2 ranks (" << rank_out << ", " << rank_in << "): relative error " << error);
    CHECK(error <= previous + 1e-6);  // float rounding of the reconstruction
    previous = error;
  }
  CHECK(previous <= 1e-5);
  CHECK(relative_error(weight, tucker2_reconstruct(tucker2_decompose(weight, 12, 8))) <= 1e-5);
}

TEST_CASE("Tucker-2 chains reproduce a conv they keep the multilinear rank of", "[lowrank]") {
  Rng rng(4);
  const Tensor weight = low_rank_conv_weight(12, 8, 3, 6, 4, rng);
  Model model = one_conv_model(weight, rng);
  const Conv2d& conv = dynamic_cast<const Conv2d&>(model.layer("conv"));
  const Tensor input = random_tensor({2, 8, 9, 9}, rng);

  // A full-rank mode is folded into the core, so each case has its own chain.
  struct Case {
    int64_t rank_out, rank_in;
    Names nodes;
  };
  for (const Case& c : std::vector<Case>{
           {6, 4, {"conv.tucker_in", "conv.tucker_core", "conv", "relu"}},
           {12, 4, {"conv.tucker_in", "conv", "relu"}},
           {6, 8, {"conv.tucker_core", "conv", "relu"}},
           {12, 8, {"conv", "relu"}},
       }) {
    Model factored =
        with_chain(model, "conv",
                   tucker2_chain("conv", conv, tucker2_decompose(weight, c.rank_out, c.rank_in)));
    CHECK(node_names(factored) == c.nodes);
    const float diff = max_output_diff(model, factored, input);
    WARN("tucker2 chain at ranks (" << c.rank_out << ", " << c.rank_in
                                    << ") of a rank-(6, 4) conv: max |diff| = " << diff);
    CHECK(diff <= 1e-4f);
  }

  // The method itself: rank keep 0.5 gives round(0.5 * 12) = 6 and round(0.5 * 8) = 4.
  Model factored = model;
  const nlohmann::json report =
      run_method(factored, "tucker2", {{"rank_by", "rank"}, {"keep", 0.5}});
  CHECK(node_names(factored) == Names{"conv.tucker_in", "conv.tucker_core", "conv", "relu"});
  CHECK(max_output_diff(model, factored, input) <= 1e-4f);
  const nlohmann::json& entry = report.at("per_layer").at(0);
  CHECK(entry.at("rank_out") == 6);
  CHECK(entry.at("rank_in") == 4);
  CHECK(entry.at("full_rank_out") == 12);
  CHECK(entry.at("full_rank_in") == 8);
  CHECK(entry.at("energy_out").get<double>() == Approx(1.0).margin(1e-9));
  CHECK(entry.at("relative_error").get<double>() <= 1e-5);
  CHECK(entry.at("params_before") == 12 * 8 * 9 + 12);
  CHECK(entry.at("params_after") == 8 * 4 + 6 * 4 * 9 + 6 * 12 + 12);
}

TEST_CASE("channel SVD chains reproduce a conv at full rank and at its true rank", "[lowrank]") {
  Rng rng(5);
  const Tensor dense = random_tensor({12, 8, 3, 3}, rng);
  Model model = one_conv_model(dense, rng);
  const Conv2d& conv = dynamic_cast<const Conv2d&>(model.layer("conv"));
  const Tensor input = random_tensor({2, 8, 9, 9}, rng);
  Model factored =
      with_chain(model, "conv", factor_conv_channels("conv", conv, thin_svd(dense), 12));
  CHECK(node_names(factored) == Names{"conv.svd_in", "conv", "relu"});
  const float diff = max_output_diff(model, factored, input);
  WARN("full-rank channel svd of a 12x8x3x3 conv: max |diff| = " << diff);
  CHECK(diff <= 1e-4f);

  // Filters of rank 3 (as a 12 x 72 matrix); rank keep 0.25 gives round(3) = 3.
  Tensor low_rank = low_rank_matrix(12, 72, 3, rng);
  low_rank.reshape({12, 8, 3, 3});
  Model exact = one_conv_model(low_rank, rng);
  Model method_factored = exact;
  const nlohmann::json report =
      run_method(method_factored, "channel_svd", {{"rank_by", "rank"}, {"keep", 0.25}});
  CHECK(max_output_diff(exact, method_factored, input) <= 1e-4f);
  const auto& first = dynamic_cast<const Conv2d&>(method_factored.layer("conv.svd_in"));
  CHECK(first.options().stride == 2);
  CHECK(first.options().padding == 1);
  CHECK(first.options().out_channels == 3);
  CHECK(report.at("per_layer").at(0).at("params_after") == 3 * (12 + 72) + 12);
}

TEST_CASE("svd halves the factored weights of lenet-300-100, which still runs", "[lowrank]") {
  Model model = initialised_zoo("lenet-300-100");
  const nlohmann::json report = run_method(model, "svd", {{"keep", 0.5}});
  CHECK(node_names(model) ==
        Names{"flatten", "fc1.svd_in", "fc1", "relu1", "fc2.svd_in", "fc2", "relu2", "fc3"});
  int64_t before = 0;
  int64_t after = 0;
  for (const nlohmann::json& layer : report.at("per_layer")) {
    before += layer.at("params_before").get<int64_t>();
    after += layer.at("params_after").get<int64_t>();
  }
  const double ratio = static_cast<double>(after) / static_cast<double>(before);
  WARN("lenet-300-100 svd keep 0.5: fc1+fc2 " << before << " -> " << after << " parameters");
  CHECK(ratio <= 0.5);
  CHECK(ratio >= 0.45);
  CHECK(report.at("per_layer").at(0).at("rank") == 108);
  CHECK(report.at("per_layer").at(1).at("rank") == 37);
  CHECK(report.at("excluded").at(0).at("node") == "fc3");
  CHECK(report.at("parameters_after").get<int64_t>() == model.parameter_count());

  Rng rng(6);
  const Tensor& output = model.forward(random_tensor({4, 1, 28, 28}, rng), ForwardContext{});
  CHECK(output.shape() == Shape{4, 10});
  CHECK(std::all_of(output.values().begin(), output.values().end(),
                    [](float v) { return std::isfinite(v); }));
}

TEST_CASE("tucker2 and channel_svd on resnet-8 keep the residual graph and shrink it",
          "[lowrank]") {
  const Model original = initialised_zoo("resnet-8");
  Rng rng(7);
  const Tensor input = random_tensor({2, 1, 28, 28}, rng);
  for (const std::string method : {"tucker2", "channel_svd"}) {
    INFO(method);
    Model model = original;
    const nlohmann::json report = run_method(model, method, nlohmann::json::object());
    const Tensor& output = model.forward(input, ForwardContext{});
    CHECK(output.shape() == Shape{2, 10});
    CHECK(model.parameter_count() < Model(original).parameter_count());
    // Every original node is still there and reads the same producers by name (for a
    // factored conv: its chain's first link does), so the shortcuts still meet the main
    // paths at the same Add nodes.
    for (const Node& node : original.nodes()) {
      INFO(node.name);
      CHECK(input_names(model, chain_head(model, node.name)) == input_names(original, node.name));
    }
    CHECK(input_names(model, "layer2.add") == Names{"layer2.bn2", "layer2.shortcut.bn"});
    if (method == "tucker2") {
      // The stem has one input channel: no tucker_in there, only the output mode.
      const nlohmann::json& stem = report.at("per_layer").at(0);
      CHECK(stem.at("node") == "stem.conv");
      CHECK(stem.at("in_factor") == false);
      CHECK(input_names(model, "stem.conv") == Names{"stem.conv.tucker_core"});
      CHECK(input_names(model, "stem.conv.tucker_core") == Names{"input"});
      CHECK(report.at("excluded").size() == 2);  // the two 1 x 1 shortcut convs
    }
  }
}

TEST_CASE("a layer that factoring would not shrink is left dense and reported", "[lowrank]") {
  Rng rng(8);
  Model model = two_layer_mlp(8, 6, rng);
  const Model original = model;
  // rank keep 1: r = 6, and 6 * (6 + 8) = 84 >= 48 weights.
  nlohmann::json report = run_method(model, "svd", {{"rank_by", "rank"}, {"keep", 1.0}});
  CHECK(node_names(model) == node_names(original));
  CHECK(max_abs_diff(model.parameter("fc1.weight").value,
                     Model(original).parameter("fc1.weight").value) == 0.0f);
  const nlohmann::json& fc1 = report.at("per_layer").at(0);
  CHECK(fc1.at("skipped") == true);
  CHECK(fc1.at("params_after") == fc1.at("params_before"));
  CHECK(fc1.at("reason").get<std::string>().find("left dense") != std::string::npos);

  // tucker2 at full ranks folds both modes into one conv as large as the original.
  Model conv = one_conv_model(random_tensor({4, 3, 3, 3}, rng), rng);
  report = run_method(conv, "tucker2", {{"rank_by", "energy"}, {"keep", 1.0}});
  CHECK(node_names(conv) == Names{"conv", "relu"});
  CHECK(report.at("per_layer").at(0).at("skipped") == true);
}

TEST_CASE("low-rank methods refuse pruned weights and name valid layers", "[lowrank]") {
  Rng rng(9);
  Model model = two_layer_mlp(8, 6, rng);
  CHECK_THROWS_WITH(
      run_method(model, "svd", {{"layers", "fc1, fc9"}}),
      Catch::Contains("'fc9' is not a linear node") && Catch::Contains("valid choices: fc1, fc2"));
  CHECK_THROWS_WITH(run_method(model, "svd", {{"layers", "fc2"}}),
                    Catch::Contains("include_classifier is false"));
  CHECK_THROWS_WITH(run_method(model, "svd", {{"layers", "fc1,,fc2"}}),
                    Catch::Contains("empty item"));
  CHECK_THROWS_WITH(run_method(model, "channel_svd", {{"layers", "fc1"}}),
                    Catch::Contains("'fc1' is not a conv2d node"));

  model.parameter("fc1.weight").mask = Tensor({6, 8}, 1.0f);
  CHECK_THROWS_WITH(run_method(model, "svd", nlohmann::json::object()),
                    Catch::Contains("'fc1.weight' is pruned"));
  // Named explicitly, with the classifier allowed, an unpruned layer still factors.
  const nlohmann::json report =
      run_method(model, "svd", {{"layers", "fc2"}, {"include_classifier", true}, {"keep", 0.4}});
  CHECK(report.at("per_layer").at(0).at("node") == "fc2");
  CHECK(report.at("layers") == "fc2");  // the parameter, beside the per-layer table
  CHECK(report.at("include_classifier") == true);

  // Factoring fc1 (60 x 40 -> rank 12) twice: the second pass would shrink the new 12 -> 60
  // "fc1" again and needs a second "fc1.svd_in".
  Model twice = two_layer_mlp(40, 60, rng);
  run_method(twice, "svd", {{"layers", "fc1"}});
  CHECK_THROWS_WITH(run_method(twice, "svd", {{"layers", "fc1"}}),
                    Catch::Contains("already has a node of that name"));
}

TEST_CASE("svd -> finetune -> static_ptq yields an int8 graph over the factors", "[lowrank]") {
  const Dataset dataset = short_synthetic();
  Recipe recipe;
  recipe.epochs = 1;
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  MethodContext context{dataset, recipe, calibration_indices(dataset.train, 64, 0), 0, quiet};

  Model model = initialised_zoo("lenet-300-100");
  run_method(model, "svd", {{"keep", 0.25}}, context);
  run_method(model, "finetune", {{"epochs", 1}}, context);
  run_method(model, "static_ptq", nlohmann::json::object(), context);
  for (const std::string node : {"fc1.svd_in", "fc1", "fc2.svd_in", "fc2", "fc3"}) {
    INFO(node);
    CHECK(model.layer(node).kind() == "qlinear");
  }
  Rng rng(10);
  const Tensor& output = model.forward(random_tensor({3, 1, 28, 28}, rng), ForwardContext{});
  CHECK(output.shape() == Shape{3, 10});
}

TEST_CASE("tucker2 -> static_ptq quantizes every conv of the chains in resnet-8", "[lowrank]") {
  const Dataset dataset = short_synthetic();
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  MethodContext context{dataset, Recipe{}, calibration_indices(dataset.train, 32, 0), 0, quiet};
  Model model = initialised_zoo("resnet-8");
  run_method(model, "tucker2", nlohmann::json::object(), context);
  run_method(model, "static_ptq", nlohmann::json::object(), context);
  for (const std::string node :
       {"layer2.conv1.tucker_in", "layer2.conv1.tucker_core", "layer2.conv1", "stem.conv"}) {
    INFO(node);
    CHECK(model.layer(node).kind() == "qconv2d");
  }
  Rng rng(12);
  const Tensor& output = model.forward(random_tensor({3, 1, 28, 28}, rng), ForwardContext{});
  CHECK(output.shape() == Shape{3, 10});
}

TEST_CASE("factored models run on every available backend as Model::forward does", "[lowrank]") {
  Model mlp = initialised_zoo("lenet-300-100");
  run_method(mlp, "svd", {{"keep", 0.25}});
  Model resnet = initialised_zoo("resnet-8");
  run_method(resnet, "tucker2", nlohmann::json::object());
  run_method(resnet, "channel_svd", {{"layers", "layer2.shortcut.conv"}});
  Rng rng(13);
  const Tensor input = random_tensor({2, 1, 28, 28}, rng);
  for (Model* model : {&mlp, &resnet}) {
    const Tensor expected = model->forward(input, ForwardContext{});
    for (const Backend& backend : backend_table()) {
      INFO(model->architecture() << " on " << backend.name);
      if (const std::string reason = backend.unavailable_reason(); !reason.empty()) {
        WARN(backend.name << " not checked: " << reason);
        continue;
      }
      const std::unique_ptr<Executable> plan = backend.lower(*model);
      const Tensor& actual = plan->run(input);
      const float diff = max_abs_diff(actual, expected);
      WARN(model->architecture() << " factored, " << backend.name << ": max |diff| " << diff);
      CHECK(diff <= 1e-3f);
    }
  }
}

}  // namespace slim
