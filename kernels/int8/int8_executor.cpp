#include "kernels/int8/int8_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/layers/pooling.h"
#include "core/quant/quantize_layer.h"
#include "core/quant/quantized_add.h"
#include "core/quant/quantized_conv2d.h"
#include "core/quant/quantized_linear.h"
#include "kernels/int8/dequantize_op.h"
#include "kernels/int8/flatten_s8.h"
#include "kernels/int8/grid_check.h"
#include "kernels/int8/int8_values.h"
#include "kernels/int8/pooling_s8.h"
#include "kernels/int8/quantize_op.h"
#include "kernels/int8/quantized_add_op.h"
#include "kernels/int8/quantized_conv2d_op.h"
#include "kernels/int8/quantized_linear_op.h"
#include "kernels/int8/relu_s8.h"
#include "kernels/ops/op_table.h"

namespace slim {
namespace {

constexpr std::string_view kInt8Backend = "int8";

// One step of the plan. A node lowers to one step, plus an implicit dequantize step for
// an int8 producer the first time an FP32 reader needs its reals.
using Int8Step = std::function<void(Int8Values&)>;

class Int8Executable final : public Executable {
 public:
  Int8Executable(Shape sample_shape, std::vector<Int8Step> steps, size_t nodes, int output_node)
      : sample_shape_(std::move(sample_shape)),
        steps_(std::move(steps)),
        values_(nodes),
        output_node_(output_node) {}

  const Tensor& run(const Tensor& input) override {
    check_batch_shape(sample_shape_, input);
    values_.set_input(input);
    for (const Int8Step& step : steps_) step(values_);
    return values_.real(output_node_);
  }

 private:
  Shape sample_shape_;
  std::vector<Int8Step> steps_;
  Int8Values values_;
  int output_node_;
};

template <typename Concrete>
const Concrete& expect_node_layer(const Node& node) {
  const auto* concrete = dynamic_cast<const Concrete*>(node.layer.get());
  if (!concrete) {
    throw std::logic_error("int8 executor: node '" + node.name + "' of kind '" +
                           node.layer->kind() + "' is not the class the kind implies");
  }
  return *concrete;
}

bool is_int8_passthrough(std::string_view kind) {
  return kind == "maxpool2d" || kind == "relu" || kind == "flatten" || kind == "global_avgpool";
}

// Builds the plan node by node, tracking what each node's output holds.
class Int8Lowering {
 public:
  Int8Lowering(const Model& model, GemmFunction float_gemm, const GemmS8Kernel& int8_gemm,
               GraphOptions options)
      : model_(model),
        float_gemm_(float_gemm),
        int8_gemm_(int8_gemm),
        kinds_(model.nodes().size()),
        has_reals_(model.nodes().size(), false),
        fused_away_(model.nodes().size(), false) {
    if (!options.fuse_conv_chains) return;
    for (const ConvChain& chain : fusable_conv_chains(model, "qconv2d")) {
      const auto& conv =
          expect_node_layer<QuantizedConv2d>(model.nodes()[static_cast<size_t>(chain.conv)]);
      if (conv.scheme().is_static()) chains_.push_back(chain);
    }
  }

  std::unique_ptr<Executable> lower() {
    if (model_.nodes().empty()) {
      fail("backend '{}' cannot run model {}: it has no layers", kInt8Backend,
           model_.architecture());
    }
    for (size_t i = 0; i < model_.nodes().size(); ++i) lower_node(static_cast<int>(i));
    const int output_node = static_cast<int>(model_.nodes().size()) - 1;
    need_reals(output_node);
    return std::make_unique<Int8Executable>(model_.sample_shape(), std::move(steps_),
                                            model_.nodes().size(), output_node);
  }

 private:
  void lower_node(int index) {
    if (fused_away_[static_cast<size_t>(index)]) return;  // its convolution's step does it
    const Node& node = model_.nodes()[static_cast<size_t>(index)];
    try {
      dispatch(node, index);
    } catch (const std::invalid_argument& e) {
      // A layer the integer kernels cannot hold (an accumulator that could overflow).
      fail("backend '{}' cannot run node '{}' (layer kind '{}'): {}", kInt8Backend, node.name,
           node.layer->kind(), e.what());
    }
  }

  void dispatch(const Node& node, int index) {
    const std::string kind = node.layer->kind();
    if (kind == "quantize") return lower_quantize(node, index);
    if (kind == "dequantize") return lower_dequantize(node, index);
    if (kind == "qlinear")
      return lower_quantized_gemm<QuantizedLinear, QuantizedLinearOp>(node, index);
    if (kind == "qconv2d") {
      if (const ConvChain* chain = chain_from(index)) return lower_conv_chain(*chain);
      return lower_quantized_gemm<QuantizedConv2d, QuantizedConv2dOp>(node, index);
    }
    if (kind == "qadd") return lower_quantized_add(node, index);
    if (is_int8_passthrough(kind) && kind_of(node.inputs[0]).is_int8) {
      return lower_passthrough(node, index);
    }
    lower_float(node, index);
  }

  ValueKind kind_of(int producer) const {
    return producer < 0 ? ValueKind{} : kinds_[static_cast<size_t>(producer)];
  }

  void set_int8(int index, const ActivationQuant& grid) {
    kinds_[static_cast<size_t>(index)] = ValueKind{true, grid};
  }

  // Makes sure `producer`'s FP32 reals exist when later steps run: FP32 values already
  // do; int8 codes get one implicit dequantize step, shared by every FP32 reader.
  void need_reals(int producer) {
    if (!kind_of(producer).is_int8 || has_reals_[static_cast<size_t>(producer)]) return;
    has_reals_[static_cast<size_t>(producer)] = true;
    steps_.push_back([producer](Int8Values& values) {
      dequantize(values.codes(producer), values.real_output(producer));
    });
  }

  std::string reader_name(const Node& node) const {
    return fmt::format("node '{}' ({})", node.name, node.layer->kind());
  }

  void lower_quantize(const Node& node, int index) {
    const ActivationQuant& grid = expect_node_layer<QuantizeLayer>(node).quant();
    const int producer = node.inputs[0];
    if (kind_of(producer).is_int8) {
      const RequantizeOp requantize(kind_of(producer).grid, grid);
      steps_.push_back([requantize, producer, index](Int8Values& values) {
        requantize.run(values.codes(producer), values.codes_output(index));
      });
    } else {
      const QuantizeOp quantize(grid);
      steps_.push_back([quantize, producer, index](Int8Values& values) {
        quantize.run(values.real(producer), values.codes_output(index));
      });
    }
    set_int8(index, grid);
  }

  // The codes carry their own grid, so dequantizing needs nothing from the layer; an FP32
  // input passes through, as in the simulation.
  void lower_dequantize(const Node& node, int index) {
    const int producer = node.inputs[0];
    if (kind_of(producer).is_int8) {
      steps_.push_back([producer, index](Int8Values& values) {
        dequantize(values.codes(producer), values.real_output(index));
      });
    } else {
      steps_.push_back([producer, index](Int8Values& values) {
        values.real_output(index) = values.real(producer);
      });
    }
  }

  const ConvChain* chain_from(int conv) const {
    for (const ConvChain& chain : chains_) {
      if (chain.conv == conv) return &chain;
    }
    return nullptr;
  }

  // One step for the convolution and the ReLU and pool after it, written as the chain's
  // last node's output (the fused nodes have no other reader).
  void lower_conv_chain(const ConvChain& chain) {
    const Node& node = model_.nodes()[static_cast<size_t>(chain.conv)];
    const auto& layer = expect_node_layer<QuantizedConv2d>(node);
    auto op = std::make_shared<QuantizedConv2dOp>(layer, int8_gemm_, ConvPath::kAuto,
                                                  ConvFusion{chain.relu >= 0, chain.pool >= 0});
    const int tail = chain.pool >= 0 ? chain.pool : chain.relu;
    for (const int fused : {chain.relu, chain.pool}) {
      if (fused >= 0) fused_away_[static_cast<size_t>(fused)] = true;
    }
    lower_static_gemm(node, *layer.scheme().fixed, op, tail, op->output_grid());
  }

  template <typename LayerT, typename OpT>
  void lower_quantized_gemm(const Node& node, int index) {
    const LayerT& layer = expect_node_layer<LayerT>(node);
    auto op = std::make_shared<OpT>(layer, int8_gemm_);
    const int producer = node.inputs[0];
    if (!layer.scheme().is_static()) {
      need_reals(producer);
      steps_.push_back([op, producer, index](Int8Values& values) {
        op->run(values.real(producer), values.real_output(index));
      });
      return;
    }
    lower_static_gemm(node, *layer.scheme().fixed, op, index, layer.scheme().fixed->output);
  }

  // A static layer's step: int8 codes in (quantized first when the producer is FP32), codes
  // on `output_grid` out, as node `index`'s value.
  template <typename OpT>
  void lower_static_gemm(const Node& node, const StaticScheme& scheme, std::shared_ptr<OpT> op,
                         int index, const ActivationQuant& output_grid) {
    const int producer = node.inputs[0];
    if (kind_of(producer).is_int8) {
      check_codes_fit_grid(kind_of(producer).grid, scheme.input, reader_name(node));
      steps_.push_back([op, producer, index](Int8Values& values) {
        op->run(values.codes(producer), values.codes_output(index));
      });
    } else {
      // The simulation quantizes its FP32 input onto the same grid with the same function.
      const QuantizeOp quantize(scheme.input);
      auto codes = std::make_shared<Int8Tensor>();
      steps_.push_back([op, quantize, codes, producer, index](Int8Values& values) {
        quantize.run(values.real(producer), *codes);
        op->run(*codes, values.codes_output(index));
      });
    }
    set_int8(index, output_grid);
  }

  void lower_quantized_add(const Node& node, int index) {
    const QuantizedAdd& layer = expect_node_layer<QuantizedAdd>(node);
    const int lhs = node.inputs[0], rhs = node.inputs[1];
    if (!kind_of(lhs).is_int8 || !kind_of(rhs).is_int8) {
      throw std::logic_error(reader_name(node) + ": both inputs must be int8");
    }
    check_codes_fit_grid(kind_of(lhs).grid, layer.lhs(), reader_name(node) + " first input");
    check_codes_fit_grid(kind_of(rhs).grid, layer.rhs(), reader_name(node) + " second input");
    const QuantizedAddOp add(layer);
    steps_.push_back([add, lhs, rhs, index](Int8Values& values) {
      add.run(values.codes(lhs), values.codes(rhs), values.codes_output(index));
    });
    set_int8(index, layer.output());
  }

  void lower_passthrough(const Node& node, int index) {
    const std::string kind = node.layer->kind();
    const int producer = node.inputs[0];
    std::function<void(const Int8Tensor&, Int8Tensor&)> kernel;
    if (kind == "maxpool2d") {
      const PoolOptions options = expect_node_layer<MaxPool2d>(node).options();
      kernel = [options](const Int8Tensor& in, Int8Tensor& out) { maxpool2d_s8(options, in, out); };
    } else if (kind == "relu") {
      kernel = relu_s8;
    } else if (kind == "flatten") {
      kernel = flatten_s8;
    } else {
      kernel = global_avgpool_s8;
    }
    steps_.push_back([kernel, producer, index](Int8Values& values) {
      kernel(values.codes(producer), values.codes_output(index));
    });
    const ActivationQuant& grid = kind_of(producer).grid;
    set_int8(index, kind == "relu" ? grid.with_relu() : grid);
  }

  void lower_float(const Node& node, int index) {
    const std::string kind = node.layer->kind();
    const OpFactory make_op = find_op_factory(kind);
    if (!make_op) {
      fail("backend '{}' cannot run node '{}' (layer kind '{}')", kInt8Backend, node.name, kind);
    }
    for (int producer : node.inputs) need_reals(producer);
    std::shared_ptr<Op> op = make_op(*node.layer, float_gemm_);
    auto args = std::make_shared<std::vector<const Tensor*>>();
    args->reserve(node.inputs.size());
    steps_.push_back([op, args, inputs = node.inputs, index](Int8Values& values) {
      // args keeps its capacity, so steady-state runs allocate nothing here.
      args->clear();
      for (int producer : inputs) args->push_back(&values.real(producer));
      op->run(*args, values.real_output(index));
    });
  }

  const Model& model_;
  GemmFunction float_gemm_;
  const GemmS8Kernel& int8_gemm_;
  std::vector<ValueKind> kinds_;   // per node; FP32 unless set_int8
  std::vector<bool> has_reals_;    // int8 nodes already given an implicit dequantize
  std::vector<bool> fused_away_;   // ReLU and pool nodes a convolution's step runs
  std::vector<ConvChain> chains_;  // static qconv2d chains to fuse
  std::vector<Int8Step> steps_;
};

}  // namespace

std::unique_ptr<Executable> lower_int8(const Model& model, GemmFunction float_gemm,
                                       const GemmS8Kernel& int8_gemm, GraphOptions options) {
  return Int8Lowering(model, float_gemm, int8_gemm, options).lower();
}

}  // namespace slim
