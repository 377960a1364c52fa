// Structured pruning (methods/pruning/structured/): channel groups across residual joins
// and Flatten, physical removal that leaves dead channels' outputs unchanged, residual
// members that keep identical channels, the criteria, and filter_prune as the registry
// runs it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/channel_slice.h"
#include "core/error.h"
#include "core/json_path.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"
#include "core/layers/pooling.h"
#include "core/layers/relu.h"
#include "core/train/init.h"
#include "datasets/registry.h"
#include "methods/param_schema.h"
#include "methods/pruning/structured/channel_groups.h"
#include "methods/pruning/structured/channel_importance.h"
#include "methods/pruning/structured/channel_removal.h"
#include "methods/pruning/structured/filter_prune.h"
#include "methods/registry.h"
#include "models/checkpoint.h"
#include "models/zoo.h"

namespace slim {
namespace {

// Trained-looking BatchNorms: with gamma = 1, beta = 0 and fresh running statistics a
// wrongly sliced BN would go unnoticed.
void randomise_batch_norms(Model& model, Rng& rng) {
  for (const Node& node : model.nodes()) {
    auto* bn = dynamic_cast<BatchNorm*>(node.layer.get());
    if (!bn) continue;
    for (int64_t c = 0; c < bn->num_features(); ++c) {
      bn->gamma().value[c] = rng.uniform(0.5f, 1.5f);
      bn->beta().value[c] = rng.normal(0.0f, 0.2f);
      bn->running_mean()[c] = rng.normal(0.0f, 0.2f);
      bn->running_var()[c] = rng.uniform(0.5f, 1.5f);
    }
  }
}

Model initialised(const std::string& name) {
  Model model = find_model(name).build({1, 28, 28}, 10);
  Rng rng(7);
  init_parameters(model, rng);
  randomise_batch_norms(model, rng);
  return model;
}

Tensor random_input(int64_t batch, Rng& rng) {
  Tensor x({batch, 1, 28, 28});
  for (float& v : x.values()) v = rng.uniform(-1.0f, 1.0f);
  return x;
}

const ChannelGroup& group_named(const std::vector<ChannelGroup>& groups, const std::string& name) {
  for (const ChannelGroup& group : groups) {
    if (group.name == name) return group;
  }
  FAIL("no channel group named " << name);
  throw std::logic_error("unreachable");
}

using Names = std::vector<std::string>;

std::vector<int64_t> all_channels_but(int64_t channels, const std::vector<int64_t>& dead) {
  std::vector<int64_t> keep;
  for (int64_t c = 0; c < channels; ++c) {
    if (std::find(dead.begin(), dead.end(), c) == dead.end()) keep.push_back(c);
  }
  return keep;
}

// Makes channels `dead` of a group output exactly zero: producers' filters and biases
// are zeroed, and every BatchNorm maps the channel to gamma * (...) + beta = 0.
void kill_channels(Model& model, const ChannelGroup& group, const std::vector<int64_t>& dead) {
  for (const std::string& node : group.nodes(ChannelRole::kProducer)) {
    Layer& layer = model.layer(node);
    Parameter& weight = *layer.parameters().at(0).second;  // "weight" comes first
    const int64_t per_row = weight.value.numel() / weight.value.dim(0);
    for (int64_t c : dead) {
      std::fill_n(weight.value.data() + c * per_row, per_row, 0.0f);
      for (auto& [local, parameter] : layer.parameters()) {
        if (local == "bias") parameter->value[c] = 0.0f;
      }
    }
  }
  for (const std::string& node : group.nodes(ChannelRole::kNormalizer)) {
    auto& bn = dynamic_cast<BatchNorm&>(model.layer(node));
    for (int64_t c : dead) {
      bn.gamma().value[c] = 0.0f;
      bn.beta().value[c] = 0.0f;
    }
  }
}

nlohmann::json run_filter_prune(Model& model, const nlohmann::json& given, uint64_t seed = 3) {
  static const Dataset dataset = load_dataset("synthetic");
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  const Method& method = find_method("filter_prune");
  MethodContext context{dataset, Recipe{}, {}, seed, quiet};
  method.apply(model, resolve_params(method.params, given, JsonPath("test")), context);
  return context.report.at("filter_prune");
}

// For every weighted layer: the rows it kept as a producer and the input features it
// kept as a consumer, from the pruning records (all of them when it was not thinned).
struct WeightSlices {
  std::map<std::string, std::vector<int64_t>> rows;
  std::map<std::string, std::vector<int64_t>> columns;
};

WeightSlices slices_of(const std::vector<GroupPruning>& pruned) {
  WeightSlices out;
  for (const GroupPruning& entry : pruned) {
    for (const MemberSlice& slice : entry.slices) {
      if (slice.role == ChannelRole::kConsumer) out.columns[slice.node] = slice.kept;
      if (slice.role != ChannelRole::kConsumer) out.rows[slice.node] = slice.kept;
    }
  }
  return out;
}

Tensor expected_slice(const Tensor& original, int axis,
                      const std::map<std::string, std::vector<int64_t>>& kept,
                      const std::string& node) {
  const auto it = kept.find(node);
  return it == kept.end() ? original : keep_along_axis(original, axis, it->second);
}

// Every parameter and buffer of `pruned` is the original's, sliced by the records.
void check_sliced_from(Model& pruned, Model& original, const WeightSlices& slices) {
  for (const Node& node : pruned.nodes()) {
    for (auto& [local, parameter] : node.layer->parameters()) {
      const Tensor& before = original.parameter(node.name + "." + local).value;
      Tensor expected = expected_slice(before, 0, slices.rows, node.name);
      if (local == "weight" && expected.rank() >= 2) {
        expected = expected_slice(expected, 1, slices.columns, node.name);
      }
      INFO(node.name << "." << local);
      REQUIRE(parameter->value.shape() == expected.shape());
      CHECK(max_abs_diff(parameter->value, expected) == 0.0f);
    }
  }
  std::map<std::string, Tensor*> original_buffers;
  for (auto& [name, buffer] : original.buffers()) original_buffers[name] = buffer;
  for (auto& [name, buffer] : pruned.buffers()) {
    const std::string node = name.substr(0, name.rfind('.'));
    const Tensor expected = expected_slice(*original_buffers.at(name), 0, slices.rows, node);
    INFO(name);
    CHECK(max_abs_diff(*buffer, expected) == 0.0f);
  }
}

// A layer kind the analysis has never heard of (as a future quantized or sparse layer
// would be): an identity it must treat as opaque.
class OpaqueIdentity final : public UnaryLayer {
 public:
  std::string kind() const override { return "test_opaque"; }
  nlohmann::json config() const override { return nlohmann::json::object(); }
  std::unique_ptr<Layer> clone() const override { return std::make_unique<OpaqueIdentity>(); }

 protected:
  Shape unary_output_shape(const Shape& input) const override { return input; }
  void unary_forward(const Tensor& input, Tensor& output, const ForwardContext&) override {
    output = input;
  }
  void unary_backward(const Tensor& grad_output, Tensor* grad_input) override {
    if (grad_input) *grad_input = grad_output;
  }
};

}  // namespace

TEST_CASE("channel groups of resnet-8 join each residual stage into one group", "[structured]") {
  const Model model = initialised("resnet-8");
  const std::vector<ChannelGroup> groups = analyse_channel_groups(model);
  for (const ChannelGroup& group : groups) WARN(to_json(group).dump());
  REQUIRE(groups.size() == 7);

  // The stem and stage 1 (identity shortcut) write one 16-channel space.
  const ChannelGroup& stage1 = group_named(groups, "stem.conv");
  CHECK(stage1.prunable());
  CHECK(stage1.channels == 16);
  CHECK(stage1.nodes(ChannelRole::kProducer) == Names{"stem.conv", "layer1.conv2"});
  CHECK(stage1.nodes(ChannelRole::kNormalizer) == Names{"stem.bn", "layer1.bn2"});
  CHECK(stage1.nodes(ChannelRole::kCarrier) == Names{"stem.relu", "layer1.add", "layer1.relu2"});
  CHECK(stage1.nodes(ChannelRole::kConsumer) ==
        Names{"layer1.conv1", "layer2.conv1", "layer2.shortcut.conv"});

  // Stages 2 and 3: main path and 1x1 shortcut conv/BN meet at the Add.
  const ChannelGroup& stage2 = group_named(groups, "layer2.conv2");
  CHECK(stage2.prunable());
  CHECK(stage2.channels == 32);
  CHECK(stage2.nodes(ChannelRole::kProducer) == Names{"layer2.conv2", "layer2.shortcut.conv"});
  CHECK(stage2.nodes(ChannelRole::kNormalizer) == Names{"layer2.bn2", "layer2.shortcut.bn"});
  CHECK(stage2.nodes(ChannelRole::kCarrier) == Names{"layer2.add", "layer2.relu2"});
  CHECK(stage2.nodes(ChannelRole::kConsumer) == Names{"layer3.conv1", "layer3.shortcut.conv"});

  const ChannelGroup& stage3 = group_named(groups, "layer3.conv2");
  CHECK(stage3.prunable());
  CHECK(stage3.channels == 64);
  CHECK(stage3.nodes(ChannelRole::kProducer) == Names{"layer3.conv2", "layer3.shortcut.conv"});
  CHECK(stage3.nodes(ChannelRole::kNormalizer) == Names{"layer3.bn2", "layer3.shortcut.bn"});
  CHECK(stage3.nodes(ChannelRole::kCarrier) == Names{"layer3.add", "layer3.relu2", "pool"});
  REQUIRE(stage3.nodes(ChannelRole::kConsumer) == Names{"fc"});
  CHECK(stage3.members.back().block == 1);  // GlobalAvgPool: channel c is feature c

  // Inside each block: conv1 -> bn1 -> relu1 -> conv2.
  for (const auto& [name, channels] : std::vector<std::pair<std::string, int64_t>>{
           {"layer1.conv1", 16}, {"layer2.conv1", 32}, {"layer3.conv1", 64}}) {
    const ChannelGroup& inner = group_named(groups, name);
    CHECK(inner.prunable());
    CHECK(inner.channels == channels);
    CHECK(inner.members.size() == 4);
  }

  const ChannelGroup& classifier = group_named(groups, "fc");
  CHECK_FALSE(classifier.prunable());
  CHECK(classifier.channels == 10);
  REQUIRE(classifier.blockers.size() == 1);
  CHECK(classifier.blockers[0].find("model output") != std::string::npos);
}

TEST_CASE("channel groups follow Flatten blocks in lenet-5 and neurons in lenet-300-100",
          "[structured]") {
  const Model lenet = initialised("lenet-5");
  const std::vector<ChannelGroup> groups = analyse_channel_groups(lenet);
  REQUIRE(groups.size() == 4);
  const ChannelGroup& conv2 = group_named(groups, "conv2");
  CHECK(conv2.prunable());
  CHECK(conv2.channels == 50);
  CHECK(conv2.nodes(ChannelRole::kCarrier) == Names{"relu2", "pool2", "flatten"});
  REQUIRE(conv2.members.back().node == "fc1");
  CHECK(conv2.members.back().block == 16);  // pool2 leaves 4x4 maps
  CHECK(group_named(groups, "conv1").producer_kind() == "conv2d");
  CHECK(group_named(groups, "fc1").producer_kind() == "linear");
  CHECK(group_named(groups, "fc1").prunable());
  CHECK_FALSE(group_named(groups, "fc2").prunable());

  const Model mlp = initialised("lenet-300-100");
  const std::vector<ChannelGroup> mlp_groups = analyse_channel_groups(mlp);
  REQUIRE(mlp_groups.size() == 3);  // the input's space has no producer and is not listed
  CHECK(group_named(mlp_groups, "fc1").channels == 300);
  CHECK(group_named(mlp_groups, "fc1").nodes(ChannelRole::kConsumer) == Names{"fc2"});
  CHECK(group_named(mlp_groups, "fc2").channels == 100);
  CHECK_FALSE(group_named(mlp_groups, "fc3").prunable());
}

TEST_CASE("layers the analysis does not know, and encoded weights, block their groups",
          "[structured]") {
  Model toy("toy", {1, 8, 8}, 10);
  toy.add("conv1", std::make_unique<Conv2d>(Conv2dOptions{1, 4, 3, 1, 1, true}));
  toy.add("opaque", std::make_unique<OpaqueIdentity>());
  toy.add("conv2", std::make_unique<Conv2d>(Conv2dOptions{4, 6, 3, 1, 1, true}));
  toy.add("relu", std::make_unique<ReLU>());
  toy.add("pool", std::make_unique<GlobalAvgPool>());
  toy.add("fc", std::make_unique<Linear>(6, 10));
  const std::vector<ChannelGroup> groups = analyse_channel_groups(toy);
  const ChannelGroup& conv1 = group_named(groups, "conv1");
  CHECK_FALSE(conv1.prunable());
  REQUIRE(conv1.blockers.size() == 1);
  CHECK(conv1.blockers[0].find("test_opaque") != std::string::npos);
  CHECK(group_named(groups, "conv2").prunable());
  CHECK_THROWS_AS(remove_channels(toy, conv1, std::vector<int64_t>{0, 1}), std::logic_error);

  Model quantized = initialised("lenet-5");
  static std::FILE* quiet = std::fopen("/dev/null", "w");
  const Dataset dataset = load_dataset("synthetic");
  MethodContext context{dataset, Recipe{}, {}, 0, quiet};
  find_method("weight_only")
      .apply(quantized, {{"bits", 8}, {"granularity", "per_tensor"}}, context);
  for (const ChannelGroup& group : analyse_channel_groups(quantized)) {
    INFO(group.name);
    CHECK_FALSE(group.prunable());
  }
  CHECK_THROWS_AS(run_filter_prune(quantized, nlohmann::json::object()), UserError);
}

TEST_CASE("removing filters that are exactly zero leaves the outputs unchanged", "[structured]") {
  for (const std::string name : {"lenet-5", "resnet-8"}) {
    Model model = initialised(name);
    const std::vector<ChannelGroup> groups = analyse_channel_groups(model);
    std::vector<std::pair<const ChannelGroup*, std::vector<int64_t>>> removals;
    for (const ChannelGroup& group : groups) {
      if (!group.prunable()) continue;
      std::vector<int64_t> dead;
      for (int64_t c = 1; c < group.channels; c += 3) dead.push_back(c);
      kill_channels(model, group, dead);
      removals.emplace_back(&group, all_channels_but(group.channels, dead));
    }
    REQUIRE(removals.size() == (name == "lenet-5" ? 3u : 6u));  // every group but the logits'

    Model pruned = model;
    const int64_t before_count = pruned.parameter_count();
    for (const auto& [group, keep] : removals) remove_channels(pruned, *group, keep);
    CHECK(pruned.parameter_count() < before_count);

    Rng rng(11);
    float worst = 0.0f;
    for (int trial = 0; trial < 3; ++trial) {
      const Tensor x = random_input(4, rng);
      const Tensor expected = model.forward(x, ForwardContext{});
      const Tensor& got = pruned.forward(x, ForwardContext{});
      REQUIRE(got.shape() == expected.shape());
      worst = std::max(worst, max_abs_diff(got, expected));
    }
    WARN(name << ": dead channels removed from " << removals.size()
              << " groups, max|logits diff| over 3 batches = " << worst);
    CHECK(worst <= 1e-5f);
  }
}

TEST_CASE("residual-group consistency holds in structured pruning", "[structured]") {
  Model original = initialised("resnet-8");
  Model model = original;
  FilterPruneOptions options;
  options.ratio = 0.5;
  const std::vector<GroupPruning> pruned = prune_channel_groups(model, options);
  REQUIRE(pruned.size() == 6);

  // The removal API applied one keep list to every member of each group.
  for (const GroupPruning& entry : pruned) {
    INFO(entry.group.name);
    CHECK(static_cast<int64_t>(entry.keep.size()) == entry.group.channels / 2);
    CHECK(std::is_sorted(entry.keep.begin(), entry.keep.end()));
    for (const MemberSlice& slice : entry.slices) {
      INFO(slice.node);
      const auto member =
          std::find_if(entry.group.members.begin(), entry.group.members.end(),
                       [&](const ChannelMember& m) { return m.node == slice.node; });
      REQUIRE(member != entry.group.members.end());
      CHECK(slice.kept == expand_channel_blocks(entry.keep, member->block));
    }
  }
  // ... and the tensors agree: every member holds the original's values at those indices.
  check_sliced_from(model, original, slices_of(pruned));

  // Every Add sums inputs of the same (thinner) shape.
  const std::vector<Shape> shapes = model.output_shapes(2);
  for (const Node& node : model.nodes()) {
    if (node.layer->kind() != "add") continue;
    INFO(node.name);
    const Shape& a = shapes[static_cast<size_t>(node.inputs[0])];
    const Shape& b = shapes[static_cast<size_t>(node.inputs[1])];
    CHECK(a == b);
    CHECK(a[1] < original.output_shapes(2)[static_cast<size_t>(node.inputs[0])][1]);
  }

  // Forward and backward in training mode, with gradients shaped like their parameters.
  Rng rng(5);
  const Tensor x = random_input(4, rng);
  model.zero_grad();
  const Tensor& logits = model.forward(x, ForwardContext{Mode::kTrain, &rng});
  REQUIRE(logits.shape() == Shape{4, 10});
  model.backward(Tensor(logits.shape(), 1.0f));
  for (auto& [name, parameter] : model.parameters()) {
    INFO(name);
    CHECK(parameter->grad.shape() == parameter->value.shape());
  }
}

TEST_CASE("neuron pruning on lenet-300-100 thins fc1 outputs and fc2 inputs together",
          "[structured]") {
  Model original = initialised("lenet-300-100");
  Model model = original;
  const nlohmann::json report = run_filter_prune(model, {{"layers", "linear"}, {"ratio", 0.5}});
  auto& fc1 = dynamic_cast<Linear&>(model.layer("fc1"));
  auto& fc2 = dynamic_cast<Linear&>(model.layer("fc2"));
  auto& fc3 = dynamic_cast<Linear&>(model.layer("fc3"));
  CHECK(fc1.in_features() == 784);
  CHECK(fc1.out_features() == 150);
  CHECK(fc2.in_features() == 150);
  CHECK(fc2.out_features() == 50);
  CHECK(fc3.in_features() == 50);
  CHECK(fc3.out_features() == 10);

  REQUIRE(report.at("groups").size() == 2);
  const auto fc1_kept = report.at("groups")[0].at("kept").get<std::vector<int64_t>>();
  const auto fc2_kept = report.at("groups")[1].at("kept").get<std::vector<int64_t>>();
  CHECK(report.at("groups")[0].at("channels_after") == 150);
  const Tensor expected_fc2 = keep_along_axis(
      keep_along_axis(original.parameter("fc2.weight").value, 0, fc2_kept), 1, fc1_kept);
  CHECK(max_abs_diff(fc2.weight().value, expected_fc2) == 0.0f);
  CHECK(max_abs_diff(fc1.bias().value,
                     keep_along_axis(original.parameter("fc1.bias").value, 0, fc1_kept)) == 0.0f);

  // The default, layers=conv, finds nothing to prune in an MLP and says why.
  Model untouched = original;
  const nlohmann::json conv_only = run_filter_prune(untouched, nlohmann::json::object());
  CHECK(conv_only.at("groups").empty());
  CHECK(conv_only.at("skipped").size() == 3);
  CHECK(untouched.parameter_count() == original.parameter_count());
}

TEST_CASE("l1 keeps the largest filters, bn_gamma the largest scales", "[structured]") {
  Model original = initialised("lenet-5");
  const std::vector<double> l1 =
      filter_l1_scores(original, group_named(analyse_channel_groups(original), "conv1"));
  Model model = original;
  const nlohmann::json report = run_filter_prune(model, {{"ratio", 0.25}});
  const auto kept = report.at("groups")[0].at("kept").get<std::vector<int64_t>>();
  REQUIRE(kept.size() == 15);  // 20 - round(5)
  double smallest_kept = 1e30, largest_removed = 0.0;
  for (int64_t c = 0; c < 20; ++c) {
    if (std::find(kept.begin(), kept.end(), c) != kept.end()) {
      smallest_kept = std::min(smallest_kept, l1[static_cast<size_t>(c)]);
    } else {
      largest_removed = std::max(largest_removed, l1[static_cast<size_t>(c)]);
    }
  }
  WARN("lenet-5 conv1 at ratio 0.25: smallest kept L1 " << smallest_kept << ", largest removed "
                                                        << largest_removed);
  CHECK(smallest_kept > largest_removed);

  // bn_gamma on resnet-8: sum of |gamma| over the stage's two BatchNorms.
  Model resnet = initialised("resnet-8");
  const ChannelGroup stage3 = group_named(analyse_channel_groups(resnet), "layer3.conv2");
  const std::vector<double> gamma = bn_gamma_scores(resnet, stage3);
  const auto& bn2 = dynamic_cast<const BatchNorm&>(resnet.layer("layer3.bn2"));
  const auto& shortcut_bn = dynamic_cast<const BatchNorm&>(resnet.layer("layer3.shortcut.bn"));
  CHECK(gamma[5] ==
        Approx(std::abs(bn2.gamma().value[5]) + std::abs(shortcut_bn.gamma().value[5])));
  const nlohmann::json bn_report = run_filter_prune(resnet, {{"criterion", "bn_gamma"}});
  for (const nlohmann::json& group : bn_report.at("groups")) {
    if (group.at("name") != "layer3.conv2") continue;
    const auto bn_kept = group.at("kept").get<std::vector<int64_t>>();
    CHECK(bn_kept == highest_scoring_channels(gamma, 32));
  }

  // random: the seed decides, and decides the same way twice.
  Model a = initialised("resnet-8"), b = initialised("resnet-8"), c = initialised("resnet-8");
  const nlohmann::json ra = run_filter_prune(a, {{"criterion", "random"}}, 1);
  const nlohmann::json rb = run_filter_prune(b, {{"criterion", "random"}}, 1);
  const nlohmann::json rc = run_filter_prune(c, {{"criterion", "random"}}, 2);
  CHECK(ra.at("groups") == rb.at("groups"));
  CHECK(ra.at("groups") != rc.at("groups"));

  // Ties go to the lower index; the result is ascending.
  CHECK(highest_scoring_channels(std::vector<double>{1, 3, 3, 2}, 2) == std::vector<int64_t>{1, 2});
  CHECK(highest_scoring_channels(std::vector<double>{5, 1, 4}, 2) == std::vector<int64_t>{0, 2});
}

TEST_CASE("bn_gamma on a model without BatchNorm is a UserError naming the valid criteria",
          "[structured]") {
  Model model = initialised("lenet-5");
  const int64_t count = model.parameter_count();
  try {
    run_filter_prune(model, {{"criterion", "bn_gamma"}});
    FAIL("bn_gamma on lenet-5 did not throw");
  } catch (const UserError& e) {
    const std::string message = e.what();
    WARN(message);
    CHECK(message.find("BatchNorm") != std::string::npos);
    CHECK(message.find("l1") != std::string::npos);
    CHECK(message.find("random") != std::string::npos);
  }
  CHECK(model.parameter_count() == count);  // scored before anything was removed
  CHECK_THROWS_AS(parse_channel_criterion("taylor"), UserError);
  CHECK_THROWS_AS(parse_producer_selection("bn"), UserError);
}

TEST_CASE(
    "filter_prune removes the expected parameters; the thin model describes, copies "
    "and checkpoints",
    "[structured]") {
  CHECK(channels_to_keep(20, 0.25) == 15);
  CHECK(channels_to_keep(50, 0.25) == 37);  // 12.5 rounds away from zero
  CHECK(channels_to_keep(16, 0.5) == 8);
  CHECK(channels_to_keep(10, 0.95) == 1);  // always at least one
  CHECK(channels_to_keep(7, 0.0) == 7);

  // lenet-5, conv groups at 0.5: conv1 20 -> 10, conv2 50 -> 25, fc1 reads 25 * 4 * 4.
  //   conv1 10*1*25 + 10 = 260, conv2 25*10*25 + 25 = 6275, fc1 400*500 + 500 = 200500,
  //   fc2 500*10 + 10 = 5010.
  Model lenet = initialised("lenet-5");
  const nlohmann::json report = run_filter_prune(lenet, nlohmann::json::object());
  CHECK(report.at("parameters_before") == 431080);
  CHECK(lenet.parameter_count() == 260 + 6275 + 200500 + 5010);
  CHECK(report.at("parameters_after") == lenet.parameter_count());

  // resnet-8 at 0.5 halves every channel count: 16/32/64 -> 8/16/32. Convolutions
  // k*k*in*out, BatchNorms 2 per channel, fc 32*10 + 10.
  Model resnet = initialised("resnet-8");
  run_filter_prune(resnet, {{"ratio", 0.5}});
  const int64_t stem = 9 * 1 * 8 + 16;
  const int64_t stage1 = 2 * (9 * 8 * 8 + 16);
  const int64_t stage2 = 9 * 8 * 16 + 32 + 9 * 16 * 16 + 32 + 8 * 16 + 32;
  const int64_t stage3 = 9 * 16 * 32 + 64 + 9 * 32 * 32 + 64 + 16 * 32 + 64;
  CHECK(resnet.parameter_count() == stem + stage1 + stage2 + stage3 + 330);

  // describe() carries the new widths, so a checkpoint rebuilds the thin graph.
  const nlohmann::json graph = lenet.describe();
  CHECK(graph.at("nodes")[0].at("config").at("out_channels") == 10);
  CHECK(graph.at("nodes")[3].at("config").at("in_channels") == 10);
  CHECK(graph.at("nodes")[7].at("config").at("in_features") == 400);

  Rng rng(2);
  const Tensor x = random_input(2, rng);
  const Tensor expected = resnet.forward(x, ForwardContext{});
  Model copy = resnet;
  CHECK(max_abs_diff(copy.forward(x, ForwardContext{}), expected) == 0.0f);

  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "slimbench_structured_pruning_test.safetensors";
  save_checkpoint(path, resnet, CheckpointInfo{});
  LoadedCheckpoint loaded = load_checkpoint(path);
  std::filesystem::remove(path);
  CHECK(loaded.model.parameter_count() == resnet.parameter_count());
  CHECK(max_abs_diff(loaded.model.forward(x, ForwardContext{}), expected) == 0.0f);
}

}  // namespace slim
