// Building the QAT model from an FP32 model and its PTQ calibration, and converting a
// trained one to the static quantized graph (qat_graph.h).
#include "methods/quantization/qat/qat_graph.h"

#include <fmt/format.h>

#include <optional>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/graph_rewriter.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"
#include "methods/quantization/bn_folding.h"
#include "methods/quantization/qat/qat_gemm.h"

namespace slim {
namespace {

const Parameter& gemm_weight_of(const Layer& layer) {
  if (const auto* conv = dynamic_cast<const Conv2d*>(&layer)) return conv->weight();
  return dynamic_cast<const Linear&>(layer).weight();
}

// Walks the FP32 model once, emitting its QAT form (see qat_graph.h).
class QatGraphBuilder {
 public:
  QatGraphBuilder(const Model& model, const ActivationGrids& folded_grids,
                  const QatOptions& options)
      : source_(model),
        rewriter_(model),
        options_(options),
        folded_(fold_batch_norms(model, &folded_pairs_)),
        done_(model.nodes().size(), false) {
    for (const FoldedBatchNorm& pair : folded_pairs_) {
      batch_norm_of_.emplace(pair.layer, pair.batch_norm);
      folded_into_.emplace(pair.batch_norm, pair.layer);
    }
    for (int index : static_grid_points(folded_, options.graph)) {
      grid_at_.emplace(folded_name(index), folded_grids.of(index));
    }
    for (int index : quantized_layer_indices(folded_, options.graph)) {
      quantized_.insert(folded_.nodes()[static_cast<size_t>(index)].name);
    }
  }

  Model run() && {
    if (grid_at_.contains(std::string(kModelInput))) {
      input_name_ = add_fake_quant(std::string(kModelInput), std::string(kModelInput));
    }
    for (size_t i = 0; i < source_.nodes().size(); ++i) {
      if (!done_[i]) emit(static_cast<int>(i));
    }
    return std::move(rewriter_).finish();
  }

 private:
  std::string folded_name(int folded_index) const {
    return folded_index < 0 ? std::string(kModelInput)
                            : folded_.nodes()[static_cast<size_t>(folded_index)].name;
  }
  const Node& node(int index) const { return source_.nodes()[static_cast<size_t>(index)]; }

  void emit(int index) {
    const Node& source = node(index);
    std::vector<int> outputs = {index};  // source nodes whose output the emitted node holds
    std::string emitted;
    if (quantized_.contains(source.name)) {
      emitted = emit_qat_gemm(index, outputs);
    } else {
      emitted = rewriter_.add(source.name, source.layer->clone(), inputs_of(index));
    }
    for (int output : outputs) rewriter_.alias(output, emitted);
    // A fake-quant follows the tensor the folded graph names like this one's output.
    if (const std::string observed = observed_name(source.name); grid_at_.contains(observed)) {
      const std::string fake_quant = add_fake_quant(observed, emitted);
      for (int output : outputs) rewriter_.alias(output, fake_quant);
    }
    if (source.layer->kind() == "global_avgpool") add_pool_requantize(index);
  }

  struct GridLeader {
    std::string observed;  // the folded node whose fake-quant holds the grid
    bool through_relu = false;
  };

  // The grid the static rewrite keeps a global average pool's int8 input on: that of the
  // nearest grid point upstream through ReLU, max pooling, flatten and dropout, which
  // all stay on their input's grid (ReLU with its clamp). None when the input is FP32.
  std::optional<GridLeader> pool_input_grid(int pool_index) const {
    GridLeader leader;
    int producer = node(pool_index).inputs[0];
    while (true) {
      leader.observed =
          producer < 0 ? std::string(kModelInput) : observed_name(node(producer).name);
      if (grid_at_.contains(leader.observed)) return leader;
      if (producer < 0) return std::nullopt;
      const std::string kind = node(producer).layer->kind();
      if (kind == "relu") {
        leader.through_relu = true;
      } else if (kind != "maxpool2d" && kind != "flatten" && kind != "dropout") {
        return std::nullopt;
      }
      producer = node(producer).inputs[0];
    }
  }

  void add_pool_requantize(int pool_index) {
    const std::optional<GridLeader> leader = pool_input_grid(pool_index);
    if (!leader) return;
    auto follower =
        std::make_unique<FakeQuantize>(grid_at_.at(leader->observed), QatEstimator::kSte);
    follower->follow(fake_quant_node_name(leader->observed), leader->through_relu);
    follower->take_leader_grid(grid_at_.at(leader->observed));
    const std::string& pool = node(pool_index).name;
    rewriter_.alias(pool_index, rewriter_.add(pool + ".requantize", std::move(follower),
                                              {rewriter_.target_of(pool_index)}));
  }

  // A QatGemm for the conv2d/linear `index`, with its BatchNorm folded in if it has one.
  std::string emit_qat_gemm(int index, std::vector<int>& outputs) {
    const Node& source = node(index);
    const BatchNorm* batch_norm = nullptr;
    std::string batch_norm_name;
    if (auto it = batch_norm_of_.find(source.name); it != batch_norm_of_.end()) {
      batch_norm_name = it->second;
      const int bn_index = source_.node_index(batch_norm_name);
      batch_norm = &dynamic_cast<const BatchNorm&>(*node(bn_index).layer);
      outputs.push_back(bn_index);
      done_[static_cast<size_t>(bn_index)] = true;
    }
    auto layer = std::make_unique<QatGemm>(*source.layer, batch_norm, std::move(batch_norm_name),
                                           weight_quant_for(source.name));
    return rewriter_.add(source.name, std::move(layer), inputs_of(index));
  }

  // LSQ starts from the folded weight, the one it will round.
  WeightFakeQuant weight_quant_for(const std::string& name) const {
    const Parameter& folded = gemm_weight_of(folded_.layer(name));
    const int64_t rows = folded.value.dim(0), cols = folded.value.numel() / rows;
    if (options_.estimator == QatEstimator::kLsq) {
      return WeightFakeQuant::lsq(options_.graph.weights, folded.value.values(), rows, cols,
                                  options_.lsq_init);
    }
    return WeightFakeQuant::ste(options_.graph.weights, rows, cols);
  }

  // The folded graph's name for source node `name`'s output: a BN folded away is its
  // conv's output; a conv whose BN is folded has no output of its own there.
  std::string observed_name(const std::string& name) const {
    if (auto it = folded_into_.find(name); it != folded_into_.end()) return it->second;
    if (batch_norm_of_.contains(name) && !quantized_.contains(name)) return {};
    return name;
  }

  std::string add_fake_quant(const std::string& observed, const std::string& producer) {
    return rewriter_.add(fake_quant_node_name(observed),
                         std::make_unique<FakeQuantize>(grid_at_.at(observed), options_.estimator),
                         {producer});
  }

  // Like GraphRewriter::target_inputs, but the model input may be fake-quantized too.
  std::vector<std::string> inputs_of(int index) const {
    std::vector<std::string> names;
    for (int producer : node(index).inputs) {
      names.push_back(producer < 0 ? input_name_ : rewriter_.target_of(producer));
    }
    return names;
  }

  const Model& source_;
  GraphRewriter rewriter_;
  const QatOptions& options_;
  std::vector<FoldedBatchNorm> folded_pairs_;  // filled while folded_ is built
  Model folded_;
  std::map<std::string, std::string> batch_norm_of_;  // conv/linear -> its folded BN
  std::map<std::string, std::string> folded_into_;    // folded BN -> its conv/linear
  std::map<std::string, ActivationQuant> grid_at_;    // folded node name -> PTQ grid
  std::set<std::string> quantized_;
  std::vector<bool> done_;
  std::string input_name_{kModelInput};
};

}  // namespace

std::string fake_quant_node_name(std::string_view observed) {
  return fmt::format("{}.fake_quant", observed);
}

Model build_qat_model(const Model& model, const ActivationGrids& folded_grids,
                      const QatOptions& options) {
  return QatGraphBuilder(model, folded_grids, options).run();
}

Model qat_to_fp32(const Model& qat) {
  GraphRewriter rewriter(qat);
  for (size_t i = 0; i < qat.nodes().size(); ++i) {
    const int index = static_cast<int>(i);
    const Node& node = qat.nodes()[i];
    if (node.layer->kind() == "fake_quantize") {
      rewriter.alias(index, rewriter.target_of(node.inputs[0]));
    } else if (const auto* gemm = dynamic_cast<const QatGemm*>(node.layer.get())) {
      std::string name = rewriter.add(node.name, gemm->fp32_gemm(), rewriter.target_inputs(index));
      if (gemm->has_batch_norm()) {
        name = rewriter.add(gemm->batch_norm_name(), gemm->fp32_batch_norm(), {name});
      }
      rewriter.alias(index, name);
    } else {
      rewriter.copy(index);
    }
  }
  return std::move(rewriter).finish();
}

ActivationGrids qat_activation_grids(const Model& qat, const Model& folded,
                                     const GraphQuantOptions& options) {
  ActivationGrids grids;
  grids.nodes.resize(folded.nodes().size());
  for (int index : static_grid_points(folded, options)) {
    const std::string observed =
        index < 0 ? std::string(kModelInput) : folded.nodes()[static_cast<size_t>(index)].name;
    const auto& fake_quant =
        dynamic_cast<const FakeQuantize&>(qat.layer(fake_quant_node_name(observed)));
    (index < 0 ? grids.input : grids.nodes[static_cast<size_t>(index)]) = fake_quant.grid();
  }
  return grids;
}

std::map<std::string, std::shared_ptr<const QuantizedWeight>> qat_learned_weights(
    const Model& qat, const Model& folded) {
  std::map<std::string, std::shared_ptr<const QuantizedWeight>> weights;
  for (const Node& node : qat.nodes()) {
    const auto* gemm = dynamic_cast<const QatGemm*>(node.layer.get());
    if (!gemm || !gemm->weight_quant().enabled() ||
        gemm->weight_quant().estimator() != QatEstimator::kLsq) {
      continue;
    }
    const Parameter& weight = gemm_weight_of(folded.layer(node.name));
    weights.emplace(node.name, gemm->weight_quant().learned_encoding(weight.value.values()));
  }
  return weights;
}

Model convert_qat_model(const Model& qat, const QatOptions& options) {
  const Model folded = fold_batch_norms(qat_to_fp32(qat));
  const ActivationGrids grids = qat_activation_grids(qat, folded, options.graph);
  GraphQuantOptions graph = options.graph;
  graph.weights_by_node = qat_learned_weights(qat, folded);
  return build_static_quantized(folded, grids, graph);
}

int freeze_batch_norm_statistics(Model& qat) {
  int frozen = 0;
  for (const Node& node : qat.nodes()) {
    if (auto* gemm = dynamic_cast<QatGemm*>(node.layer.get()); gemm && gemm->has_batch_norm()) {
      gemm->freeze_batch_norm();
      ++frozen;
    }
    if (auto* batch_norm = dynamic_cast<BatchNorm*>(node.layer.get())) {
      batch_norm->set_frozen(true);
      ++frozen;
    }
  }
  return frozen;
}

void update_learned_grids(Model& qat) {
  for (const Node& node : qat.nodes()) {
    if (auto* gemm = dynamic_cast<QatGemm*>(node.layer.get())) {
      gemm->weight_quant().keep_scales_positive();
    }
    if (auto* fake_quant = dynamic_cast<FakeQuantize*>(node.layer.get())) {
      fake_quant->keep_scale_positive();
    }
  }
  // Leaders come before their followers, and their scales are final by now.
  for (const Node& node : qat.nodes()) {
    auto* follower = dynamic_cast<FakeQuantize*>(node.layer.get());
    if (!follower || follower->leader().empty()) continue;
    follower->take_leader_grid(
        dynamic_cast<const FakeQuantize&>(std::as_const(qat).layer(follower->leader())).grid());
  }
}

}  // namespace slim
