#include "methods/quantization/bn_folding.h"

#include <cmath>
#include <memory>
#include <vector>

#include "core/graph_rewriter.h"
#include "core/layers/batch_norm.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"

namespace slim {
namespace {

// Conv and linear layers are affine in their weights, so a following BN folds into them.
bool can_absorb_batch_norm(const Layer& layer) {
  return layer.kind() == "conv2d" || layer.kind() == "linear";
}

// The BN node that alone consumes node `index`, or -1.
int sole_batch_norm_consumer(const Model& model, int index) {
  const std::vector<int> consumers = consumer_indices(model, index);
  if (consumers.size() != 1) return -1;
  const Layer& consumer = *model.nodes()[consumers[0]].layer;
  const bool is_batch_norm = consumer.kind() == "batchnorm1d" || consumer.kind() == "batchnorm2d";
  return is_batch_norm ? consumers[0] : -1;
}

// Scales row o of `weight` (viewed [out, rest]) and rewrites `bias` in place.
void fold_into(Parameter& weight, Parameter& bias, const BatchNorm& batch_norm) {
  const int64_t out = batch_norm.num_features();
  const int64_t rest = weight.value.numel() / out;
  for (int64_t o = 0; o < out; ++o) {
    const double inv_std = 1.0 / std::sqrt(static_cast<double>(batch_norm.running_var()[o]) +
                                           static_cast<double>(batch_norm.eps()));
    const double factor = static_cast<double>(batch_norm.gamma().value[o]) * inv_std;
    float* row = weight.value.data() + o * rest;
    for (int64_t i = 0; i < rest; ++i) row[i] = static_cast<float>(row[i] * factor);
    const double shifted = static_cast<double>(bias.value[o]) - batch_norm.running_mean()[o];
    bias.value[o] = static_cast<float>(shifted * factor + batch_norm.beta().value[o]);
  }
}

std::unique_ptr<Layer> folded_conv(const Conv2d& conv, const BatchNorm& bn) {
  Conv2dOptions options = conv.options();
  options.bias = true;
  auto folded = std::make_unique<Conv2d>(options);
  folded->weight() = conv.weight();
  folded->weight().storage.reset();
  folded->bias().value = conv.options().bias ? conv.bias().value : Tensor({options.out_channels});
  fold_into(folded->weight(), folded->bias(), bn);
  return folded;
}

std::unique_ptr<Layer> folded_linear(const Linear& linear, const BatchNorm& bn) {
  auto folded = std::make_unique<Linear>(linear.in_features(), linear.out_features(), true);
  folded->weight() = linear.weight();
  folded->weight().storage.reset();
  if (linear.has_bias()) folded->bias().value = linear.bias().value;
  fold_into(folded->weight(), folded->bias(), bn);
  return folded;
}

std::unique_ptr<Layer> fold(const Layer& layer, const BatchNorm& bn) {
  if (const auto* conv = dynamic_cast<const Conv2d*>(&layer)) return folded_conv(*conv, bn);
  return folded_linear(dynamic_cast<const Linear&>(layer), bn);
}

}  // namespace

Model fold_batch_norms(const Model& model, std::vector<FoldedBatchNorm>* folded) {
  GraphRewriter rewriter(model);
  const auto& nodes = model.nodes();
  std::vector<bool> absorbed(nodes.size(), false);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (absorbed[i]) continue;
    const int index = static_cast<int>(i);
    const int bn_index =
        can_absorb_batch_norm(*nodes[i].layer) ? sole_batch_norm_consumer(model, index) : -1;
    if (bn_index < 0) {
      rewriter.copy(index);
      continue;
    }
    const auto& bn = dynamic_cast<const BatchNorm&>(*nodes[bn_index].layer);
    const std::string name =
        rewriter.add(nodes[i].name, fold(*nodes[i].layer, bn), rewriter.target_inputs(index));
    rewriter.alias(index, name);
    rewriter.alias(bn_index, name);
    absorbed[bn_index] = true;
    if (folded) folded->push_back({nodes[i].name, nodes[bn_index].name});
  }
  return std::move(rewriter).finish();
}

}  // namespace slim
