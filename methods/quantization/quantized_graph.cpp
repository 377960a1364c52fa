#include "methods/quantization/quantized_graph.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/graph_rewriter.h"
#include "core/layers/conv2d.h"
#include "core/layers/linear.h"
#include "core/quant/quantize_layer.h"
#include "core/quant/quantized_add.h"
#include "core/quant/quantized_conv2d.h"

namespace slim {
namespace {

bool is_gemm_layer(const Layer& layer) {
  return layer.kind() == "conv2d" || layer.kind() == "linear";
}

std::vector<float> bias_values(const Parameter* bias) {
  if (!bias) return {};
  const auto values = std::as_const(bias->value).values();
  return {values.begin(), values.end()};
}

std::shared_ptr<const QuantizedWeight> weight_for(const std::string& node, const Parameter& weight,
                                                  int64_t rows, int64_t cols,
                                                  const GraphQuantOptions& options) {
  if (auto it = options.weights_by_node.find(node); it != options.weights_by_node.end()) {
    return it->second;
  }
  return quantize_weight(std::as_const(weight.value).values(), rows, cols, options.weights);
}

// A pruned weight stays pruned: it is 0.0, so its code is the zero point, and the quantized
// layer keeps the mask for size accounting.
template <typename QuantizedLayer>
std::unique_ptr<Layer> with_mask_of(const Parameter& weight,
                                    std::unique_ptr<QuantizedLayer> layer) {
  if (weight.has_mask()) layer->set_weight_mask(weight.mask);
  return layer;
}

// The quantized form of a conv2d/linear node with the given scheme.
std::unique_ptr<Layer> quantize_gemm_layer(const Node& node, const QuantScheme& scheme,
                                           const GraphQuantOptions& graph_options) {
  const Layer& layer = *node.layer;
  if (const auto* conv = dynamic_cast<const Conv2d*>(&layer)) {
    const Conv2dOptions& options = conv->options();
    const int64_t cols = options.in_channels * options.kernel_size * options.kernel_size;
    auto weight = weight_for(node.name, conv->weight(), options.out_channels, cols, graph_options);
    return with_mask_of(conv->weight(),
                        std::make_unique<QuantizedConv2d>(
                            options, std::move(weight),
                            bias_values(options.bias ? &conv->bias() : nullptr), scheme));
  }
  const auto& linear = dynamic_cast<const Linear&>(layer);
  auto weight = weight_for(node.name, linear.weight(), linear.out_features(), linear.in_features(),
                           graph_options);
  return with_mask_of(
      linear.weight(),
      std::make_unique<QuantizedLinear>(
          std::move(weight), bias_values(linear.has_bias() ? &linear.bias() : nullptr), scheme));
}

// The ReLU node that alone consumes node `index`, or -1.
int sole_relu_consumer(const Model& model, int index) {
  const std::vector<int> consumers = consumer_indices(model, index);
  if (consumers.size() != 1 || model.nodes()[consumers[0]].layer->kind() != "relu") return -1;
  return consumers[0];
}

// Walks the folded model once, emitting the static quantized graph.
class StaticRewrite {
 public:
  using GridLookup = std::function<ActivationQuant(int index)>;

  StaticRewrite(const Model& folded, GridLookup grids, const GraphQuantOptions& options)
      : rewriter_(folded),
        folded_(folded),
        grids_(std::move(grids)),
        options_(options),
        int8_grid_(folded.nodes().size()),
        done_(folded.nodes().size(), false) {
    for (int index : quantized_layer_indices(folded, options)) selected_.push_back(index);
  }

  Model run() && {
    for (size_t i = 0; i < folded_.nodes().size(); ++i) {
      if (!done_[i]) rewrite_node(static_cast<int>(i));
    }
    end_integer_region();
    return std::move(rewriter_).finish();
  }

 private:
  bool is_selected(int index) const {
    return std::find(selected_.begin(), selected_.end(), index) != selected_.end();
  }
  const Node& node(int index) const { return folded_.nodes()[static_cast<size_t>(index)]; }

  void rewrite_node(int index) {
    const std::string kind = node(index).layer->kind();
    if (is_selected(index)) return rewrite_gemm(index);
    // Sensitivity analysis (only_layers) keeps the adds in FP32, so that a row measures
    // its one layer and not every residual add as well.
    if (kind == "add" && options_.only_layers.empty()) return rewrite_add(index);
    if (kind == "dropout") return pass_through(index);
    const int producer = node(index).inputs.empty() ? -1 : node(index).inputs[0];
    // A copied node reads the FP32 model input even once a quantized copy of it exists.
    const std::optional<ActivationQuant> input_grid =
        producer < 0 ? std::nullopt : grid_of(producer);
    rewriter_.copy(index);
    if (!input_grid) return;
    if (kind == "relu") {
      int8_grid_[index] = input_grid->with_relu();
    } else if (kind == "maxpool2d" || kind == "flatten") {
      int8_grid_[index] = input_grid;
    } else if (kind == "global_avgpool") {
      // The integer mean stays on the input's grid; the FP32 mean is rounded onto it here.
      const std::string name =
          rewriter_.add(node(index).name + ".requantize",
                        std::make_unique<QuantizeLayer>(*input_grid), {rewriter_.target_of(index)});
      rewriter_.alias(index, name);
      int8_grid_[index] = input_grid;
    }
  }

  void rewrite_gemm(int index) {
    const int producer = node(index).inputs[0];
    const std::string input_name = int8_input(producer);
    const int relu = sole_relu_consumer(folded_, index);
    StaticScheme fixed{.input = *grid_of(producer),
                       .output = grids_(relu >= 0 ? relu : index),
                       .fused_relu = relu >= 0};
    if (fixed.fused_relu) fixed.output = fixed.output.with_relu();
    const ActivationQuant output = fixed.output;
    const QuantScheme scheme{.fixed = std::move(fixed)};
    const std::string name = rewriter_.add(
        node(index).name, quantize_gemm_layer(node(index), scheme, options_), {input_name});
    mark_int8(index, name, output);
    if (relu >= 0) mark_int8(relu, name, output);
  }

  void rewrite_add(int index) {
    const int lhs = node(index).inputs[0], rhs = node(index).inputs[1];
    const std::string lhs_name = int8_input(lhs), rhs_name = int8_input(rhs);
    const int relu = sole_relu_consumer(folded_, index);
    ActivationQuant output = grids_(relu >= 0 ? relu : index);
    if (relu >= 0) output = output.with_relu();
    const std::string name = rewriter_.add(
        node(index).name,
        std::make_unique<QuantizedAdd>(*grid_of(lhs), *grid_of(rhs), output, relu >= 0),
        {lhs_name, rhs_name});
    mark_int8(index, name, output);
    if (relu >= 0) mark_int8(relu, name, output);
  }

  void pass_through(int index) {
    const int producer = node(index).inputs[0];
    rewriter_.alias(index, rewriter_.target_of(producer));
    int8_grid_[index] = grid_of(producer);
    done_[index] = true;
  }

  void mark_int8(int index, const std::string& name, const ActivationQuant& grid) {
    rewriter_.alias(index, name);
    int8_grid_[index] = grid;
    done_[index] = true;
  }

  std::optional<ActivationQuant> grid_of(int index) const {
    if (index < 0) return input_int8_grid_;
    return int8_grid_[index];
  }

  // The target name of `producer`'s output as int8: inserts (once) a quantize node with
  // the calibrated grid when the producer's output is FP32.
  std::string int8_input(int producer) {
    if (auto it = quantized_.find(producer); it != quantized_.end()) return it->second;
    if (grid_of(producer)) return rewriter_.target_of(producer);
    const ActivationQuant grid = grids_(producer);
    const std::string name =
        rewriter_.add(rewriter_.target_of(producer) + ".quantize",
                      std::make_unique<QuantizeLayer>(grid), {rewriter_.target_of(producer)});
    quantized_.emplace(producer, name);
    if (producer < 0) {
      input_int8_grid_ = grid;
    } else {
      // Later readers of the producer get the int8 copy; FP32 readers are served by the
      // executor's implicit dequantization, and the simulation holds the same reals.
      int8_grid_[producer] = grid;
      rewriter_.alias(producer, name);
    }
    return name;
  }

  void end_integer_region() {
    const int last = static_cast<int>(folded_.nodes().size()) - 1;
    if (!grid_of(last)) return;
    rewriter_.add("dequantize", std::make_unique<DequantizeLayer>(*grid_of(last)),
                  {rewriter_.target_of(last)});
  }

  GraphRewriter rewriter_;
  const Model& folded_;
  GridLookup grids_;
  const GraphQuantOptions& options_;
  std::vector<int> selected_;
  std::vector<std::optional<ActivationQuant>> int8_grid_;
  std::vector<bool> done_;
  std::optional<ActivationQuant> input_int8_grid_;
  std::map<int, std::string> quantized_;
};

}  // namespace

std::vector<int> quantized_layer_indices(const Model& model, const GraphQuantOptions& options) {
  std::vector<int> indices;
  for (size_t i = 0; i < model.nodes().size(); ++i) {
    if (is_gemm_layer(*model.nodes()[i].layer)) indices.push_back(static_cast<int>(i));
  }
  if (options.keep_first_last_fp32 && !indices.empty()) {
    indices.erase(indices.begin());
    if (!indices.empty()) indices.pop_back();
  }
  if (!options.only_layers.empty()) {
    std::erase_if(indices, [&](int index) {
      return !options.only_layers.contains(model.nodes()[index].name);
    });
  }
  return indices;
}

std::vector<int> static_grid_points(const Model& folded, const GraphQuantOptions& options) {
  std::vector<int> points;
  auto record = [&points](int index) {
    if (std::find(points.begin(), points.end(), index) == points.end()) points.push_back(index);
    return ActivationQuant{};
  };
  // Weights are irrelevant to which grids are read; skip quantizing them for real.
  GraphQuantOptions cheap = options;
  cheap.weights.calibrator = Calibrator::kAbsMax;
  StaticRewrite(folded, record, cheap).run();
  return points;
}

Model build_static_quantized(const Model& folded, const ActivationGrids& grids,
                             const GraphQuantOptions& options) {
  return StaticRewrite(
             folded, [&grids](int index) { return grids.of(index); }, options)
      .run();
}

Model build_dynamic_quantized(const Model& folded, DynamicRange range, Rounding rounding,
                              const GraphQuantOptions& options) {
  const std::vector<int> selected = quantized_layer_indices(folded, options);
  const QuantScheme scheme{
      .fixed = std::nullopt, .dynamic_range = range, .dynamic_rounding = rounding};
  GraphRewriter rewriter(folded);
  for (size_t i = 0; i < folded.nodes().size(); ++i) {
    const int index = static_cast<int>(i);
    const Node& node = folded.nodes()[i];
    if (node.layer->kind() == "dropout") {
      rewriter.alias(index, rewriter.target_of(node.inputs[0]));
    } else if (std::find(selected.begin(), selected.end(), index) != selected.end()) {
      rewriter.alias(index, rewriter.add(node.name, quantize_gemm_layer(node, scheme, options),
                                         rewriter.target_inputs(index)));
    } else {
      rewriter.copy(index);
    }
  }
  return std::move(rewriter).finish();
}

}  // namespace slim
