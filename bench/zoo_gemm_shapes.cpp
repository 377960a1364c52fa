#include "bench/zoo_gemm_shapes.h"

#include <fmt/format.h>

#include <set>
#include <tuple>

#include "core/layers/conv2d.h"
#include "core/layers/im2col.h"
#include "core/layers/linear.h"
#include "kernels/graph_executor.h"
#include "models/zoo.h"

namespace slim::bench {
namespace {

// The zoo is trained and measured on Fashion-MNIST; its shapes are the ones that matter.
const Shape kSampleShape = {1, 28, 28};
constexpr int kNumClasses = 10;

// What kernels/ops/linear_op.cpp hands its GEMM: [batch, in] x [in, out].
GemmShape linear_gemm(const Linear& layer, const Shape& input) {
  return {"", input.at(0), layer.out_features(), layer.in_features()};
}

// What kernels/ops/conv2d_op.cpp hands its GEMM: the weights [out, in*k*k] times the
// im2col matrix [in*k*k, batch*out_h*out_w] of the whole batch.
GemmShape conv2d_gemm(const Conv2d& layer, const Shape& input) {
  const Conv2dOptions& o = layer.options();
  const ConvGeometry g{input.at(0),   input.at(1),   input.at(2), input.at(3),
                       o.kernel_size, o.kernel_size, o.stride,    o.padding};
  return {"", o.out_channels, g.col_cols(), g.col_rows()};
}

// The GEMMs of one model's forward pass at `batch`, in node order, named
// "<model>/<node>@b<batch>".
std::vector<GemmShape> model_gemms(const ZooEntry& entry, int64_t batch) {
  const Model model = entry.build(kSampleShape, kNumClasses);
  const std::vector<Shape> outputs = model.output_shapes(batch);
  Shape batched_input = {batch};
  batched_input.insert(batched_input.end(), kSampleShape.begin(), kSampleShape.end());

  std::vector<GemmShape> gemms;
  for (const Node& node : model.nodes()) {
    if (node.inputs.empty()) continue;
    const int producer = node.inputs.front();
    const Shape& input = producer < 0 ? batched_input : outputs.at(static_cast<size_t>(producer));
    GemmShape gemm;
    if (const auto* linear = dynamic_cast<const Linear*>(node.layer.get())) {
      gemm = linear_gemm(*linear, input);
    } else if (const auto* conv = dynamic_cast<const Conv2d*>(node.layer.get())) {
      gemm = conv2d_gemm(*conv, input);
    } else {
      continue;  // no GEMM in this layer
    }
    gemm.name = fmt::format("{}/{}@b{}", entry.name, node.name, batch);
    gemms.push_back(std::move(gemm));
  }
  return gemms;
}

}  // namespace

int64_t ZooConv::macs() const {
  const ConvGeometry g{input.at(0),         input.at(1),         input.at(2),    input.at(3),
                       options.kernel_size, options.kernel_size, options.stride, options.padding};
  return g.col_cols() * g.col_rows() * options.out_channels;
}

std::vector<ZooConv> zoo_convolutions(int64_t batch) {
  std::vector<ZooConv> result;
  std::set<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, bool>> seen;
  Shape batched_input = {batch};
  batched_input.insert(batched_input.end(), kSampleShape.begin(), kSampleShape.end());
  for (const ZooEntry& entry : model_zoo()) {
    const Model model = entry.build(kSampleShape, kNumClasses);
    const std::vector<Shape> outputs = model.output_shapes(batch);
    std::set<int> pooled_convs;
    for (const ConvChain& chain : fusable_conv_chains(model)) {
      if (chain.pool >= 0) pooled_convs.insert(chain.conv);
    }
    for (size_t i = 0; i < model.nodes().size(); ++i) {
      const Node& node = model.nodes()[i];
      const auto* conv = dynamic_cast<const Conv2d*>(node.layer.get());
      if (conv == nullptr || node.inputs.empty()) continue;
      const int producer = node.inputs.front();
      const Shape& input = producer < 0 ? batched_input : outputs.at(static_cast<size_t>(producer));
      const Conv2dOptions& o = conv->options();
      const bool pooled = pooled_convs.count(static_cast<int>(i)) > 0;
      if (!seen.insert({o.in_channels, o.out_channels, o.kernel_size, o.stride, o.padding,
                        input.at(2), input.at(3), pooled})
               .second) {
        continue;
      }
      result.push_back({fmt::format("{}/{}@b{}", entry.name, node.name, batch), o, input, pooled});
    }
  }
  return result;
}

int64_t gemm_operand_bytes(const GemmShape& shape) {
  return (shape.m * shape.k + shape.k * shape.n + shape.m * shape.n) *
         static_cast<int64_t>(sizeof(float));
}

double gemm_flops(const GemmShape& shape) {
  return 2.0 * static_cast<double>(shape.m) * static_cast<double>(shape.n) *
         static_cast<double>(shape.k);
}

std::vector<ZooGemm> zoo_gemms(int64_t batch) {
  std::vector<ZooGemm> result;
  std::set<std::tuple<int64_t, int64_t, int64_t>> seen;
  for (const ZooEntry& entry : model_zoo()) {
    const std::vector<GemmShape> gemms = model_gemms(entry, batch);
    int64_t forward_bytes = 0;
    for (const GemmShape& gemm : gemms) forward_bytes += gemm_operand_bytes(gemm);
    for (const GemmShape& gemm : gemms) {
      if (!seen.insert({gemm.m, gemm.n, gemm.k}).second) continue;
      result.push_back({gemm, forward_bytes});
    }
  }
  return result;
}

std::vector<GemmShape> zoo_gemm_shapes(int64_t batch) {
  std::vector<GemmShape> shapes;
  for (ZooGemm& gemm : zoo_gemms(batch)) shapes.push_back(std::move(gemm.shape));
  return shapes;
}

std::vector<GemmShape> square_gemm_shapes() {
  std::vector<GemmShape> shapes;
  for (const int64_t size : {64, 128, 256, 512, 1024, 2048}) {
    shapes.push_back({fmt::format("square/{}", size), size, size, size});
  }
  return shapes;
}

}  // namespace slim::bench
