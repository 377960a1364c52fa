#include "kernels/int8/int8_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
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

// How a plan splits batches (lower_int8's header): chunks of `images`, for batches of
// more than `split_above` images; images 0 never splits.
struct BatchChunking {
  int64_t images = 0;
  int64_t split_above = 0;
};

// One step of the plan. A node lowers to one step, plus an implicit dequantize step for
// an int8 producer the first time an FP32 reader needs its reals.
using Int8Step = std::function<void(Int8Values&)>;

class Int8Executable final : public Executable {
 public:
  // chunk.images 0 runs every batch whole; otherwise batches of more than
  // chunk.split_above images run in chunks of chunk.images, which needs every step to
  // treat images independently.
  Int8Executable(Shape sample_shape, std::vector<Int8Step> steps, size_t nodes, int output_node,
                 BatchChunking chunk)
      : sample_shape_(std::move(sample_shape)),
        steps_(std::move(steps)),
        values_(nodes),
        output_node_(output_node),
        chunk_images_(chunk.images),
        split_above_(std::max(chunk.images, chunk.split_above)),
        full_chunk_(nodes),
        last_chunk_(nodes) {}

  const Tensor& run(const Tensor& input) override {
    check_batch_shape(sample_shape_, input);
    const int64_t batch = input.dim(0);
    if (chunk_images_ == 0 || batch <= split_above_) return run_steps(input, values_);
    const int64_t sample = input.numel() / batch;
    for (int64_t first = 0; first < batch; first += chunk_images_) {
      const int64_t images = std::min(chunk_images_, batch - first);
      // A shorter last chunk has buffers of its own, so that no run resizes them.
      Chunk& chunk = images == chunk_images_ ? full_chunk_ : last_chunk_;
      resize_batch(chunk.input, input.shape(), images);
      std::copy_n(input.data() + first * sample, images * sample, chunk.input.data());
      const Tensor& result = run_steps(chunk.input, chunk.values);
      if (first == 0) resize_batch(output_, result.shape(), batch);
      const int64_t out_sample = result.numel() / images;
      std::copy_n(result.data(), result.numel(), output_.data() + first * out_sample);
    }
    return output_;
  }

 private:
  struct Chunk {
    explicit Chunk(size_t nodes) : values(nodes) {}
    Tensor input;
    Int8Values values;
  };

  const Tensor& run_steps(const Tensor& input, Int8Values& values) {
    values.set_input(input);
    for (const Int8Step& step : steps_) step(values);
    return values.real(output_node_);
  }

  // `tensor` shaped like `like` with `batch` images, resized only when that differs.
  static void resize_batch(Tensor& tensor, const Shape& like, int64_t batch) {
    const Shape& shape = tensor.shape();
    if (shape.size() == like.size() && !shape.empty() && shape[0] == batch &&
        std::equal(shape.begin() + 1, shape.end(), like.begin() + 1)) {
      return;
    }
    Shape wanted = like;
    wanted[0] = batch;
    tensor.resize(std::move(wanted));
  }

  Shape sample_shape_;
  std::vector<Int8Step> steps_;
  Int8Values values_;
  int output_node_;
  int64_t chunk_images_;
  int64_t split_above_;
  Chunk full_chunk_, last_chunk_;
  Tensor output_;
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

constexpr const char* kChunkVariable = "SLIMBENCH_INT8_CHUNK";

// SLIMBENCH_INT8_CHUNK as a count of images (0: whole batches), or nothing when unset.
std::optional<int64_t> forced_chunk_images() {
  const char* text = std::getenv(kChunkVariable);
  if (text == nullptr || *text == '\0') return std::nullopt;
  int64_t images = -1;
  const char* end = text + std::strlen(text);
  const auto [last, error] = std::from_chars(text, end, images);
  if (error != std::errc() || last != end || images < 0) {
    fail("{}='{}' is not a number of images (0 runs whole batches)", kChunkVariable, text);
  }
  return images;
}

// Builds the plan node by node, tracking what each node's output holds.
class Int8Lowering {
 public:
  Int8Lowering(const Model& model, GemmFunction float_gemm, const GemmS8Kernel& int8_gemm,
               GraphOptions options)
      : model_(model),
        batch_chunk_(options.batch_chunk),
        float_gemm_(float_gemm),
        int8_gemm_(int8_gemm),
        kinds_(model.nodes().size()),
        written_bytes_(model.nodes().size(), 0),
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
                                            model_.nodes().size(), output_node,
                                            per_sample_ ? batch_chunking() : BatchChunking{});
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
    note_written(index, 1);
  }

  // Makes sure `producer`'s FP32 reals exist when later steps run: FP32 values already
  // do; int8 codes get one implicit dequantize step, shared by every FP32 reader.
  void need_reals(int producer) {
    if (!kind_of(producer).is_int8 || has_reals_[static_cast<size_t>(producer)]) return;
    has_reals_[static_cast<size_t>(producer)] = true;
    steps_.push_back([producer](Int8Values& values) {
      dequantize(values.codes(producer), values.real_output(producer));
    });
    note_written(producer, 4);
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
    note_written(index, 4);
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
      per_sample_ = false;
      note_written(index, 4);
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
    per_sample_ = false;
    note_written(index, 4);
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

  // The option, else the environment variable (either splits every larger batch), else
  // kInt8ChunkBytes of the largest value a step writes per image, for batches whose
  // largest value outgrows kInt8SplitBytes.
  BatchChunking batch_chunking() const {
    if (batch_chunk_ >= 0) return {batch_chunk_, batch_chunk_};
    if (const std::optional<int64_t> forced = forced_chunk_images()) return {*forced, *forced};
    const std::vector<Shape> shapes = model_.output_shapes(1);
    int64_t largest = shape_numel(model_.sample_shape()) * int64_t{sizeof(float)};
    for (size_t i = 0; i < shapes.size(); ++i) {
      largest = std::max(largest, shape_numel(shapes[i]) * written_bytes_[i]);
    }
    return {std::max<int64_t>(1, kInt8ChunkBytes / largest), kInt8SplitBytes / largest};
  }

  // Node `index`'s value holds `bytes` per element (1 for codes, 4 for reals; both may).
  void note_written(int index, int64_t bytes) {
    written_bytes_[static_cast<size_t>(index)] += bytes;
  }

  const Model& model_;
  int64_t batch_chunk_;
  GemmFunction float_gemm_;
  const GemmS8Kernel& int8_gemm_;
  std::vector<ValueKind> kinds_;        // per node; FP32 unless set_int8
  std::vector<int64_t> written_bytes_;  // per node, per element: what its steps write
  std::vector<bool> has_reals_;         // int8 nodes already given an implicit dequantize
  std::vector<bool> fused_away_;        // ReLU and pool nodes a convolution's step runs
  std::vector<ConvChain> chains_;       // static qconv2d chains to fuse
  std::vector<Int8Step> steps_;
  // Whether every step treats images independently (static integer layers, elementwise
  // and pooling steps): false once a dynamic layer (one grid per batch) or an FP32 op
  // (whose GEMM may round differently at another batch size) is lowered.
  bool per_sample_ = true;
};

}  // namespace

std::unique_ptr<Executable> lower_int8(const Model& model, GemmFunction float_gemm,
                                       const GemmS8Kernel& int8_gemm, GraphOptions options) {
  return Int8Lowering(model, float_gemm, int8_gemm, options).lower();
}

std::string int8_batch_chunking_description() {
  if (const std::optional<int64_t> forced = forced_chunk_images()) {
    return *forced == 0 ? std::string("whole (SLIMBENCH_INT8_CHUNK=0)")
                        : fmt::format("chunks of {} images (SLIMBENCH_INT8_CHUNK)", *forced);
  }
  return fmt::format(
      "chunks of about {} KiB of the largest value when it outgrows {} KiB and every step is "
      "per image",
      kInt8ChunkBytes / 1024, kInt8SplitBytes / 1024);
}

}  // namespace slim
