#include "harness/work_counts.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/model_size.h"
#include "core/quant/quantized_conv2d.h"
#include "core/quant/quantized_linear.h"
#include "kernels/sparse/sparse_lowering.h"

namespace slim {
namespace {

constexpr double kFp32Bytes = 4.0;
constexpr double kInt8Bytes = 1.0;

// Whether a quantized GEMM layer keeps its output in int8 (static scheme).
bool has_static_scheme(const Layer& layer) {
  if (const auto* linear = dynamic_cast<const QuantizedLinear*>(&layer)) {
    return linear->scheme().is_static();
  }
  if (const auto* conv = dynamic_cast<const QuantizedConv2d*>(&layer)) {
    return conv->scheme().is_static();
  }
  return false;
}

// Mirrors the int8 backend's domains (kernels/int8): which node outputs are int8.
bool produces_int8(const Layer& layer, bool first_input_int8) {
  const std::string kind = layer.kind();
  if (kind == "quantize" || kind == "qadd") return true;
  if (kind == "qlinear" || kind == "qconv2d") return has_static_scheme(layer);
  if (kind == "maxpool2d" || kind == "flatten" || kind == "relu" || kind == "global_avgpool") {
    return first_input_int8;
  }
  return false;
}

// On the sparse backend, the Linear layers it runs in a sparse format: their MACs are
// their stored nonzeros, and their weights are read in that format.
struct SparseWork {
  std::map<std::string, double, std::less<>> macs;  // per node, one sample
  double bytes_saved = 0.0;                         // against FP32 dense
};

SparseWork sparse_work(const Model& model) {
  SparseWork work;
  for (const LinearLowering& layer : plan_sparse_lowering(model)) {
    if (layer.format == SparseFormat::kDense) continue;
    work.macs[layer.node] = static_cast<double>(layer.nonzeros);
    const double dense_bytes =
        static_cast<double>(layer.out_features * layer.in_features) * kFp32Bytes;
    work.bytes_saved += dense_bytes - static_cast<double>(layer.weight_bytes);
  }
  return work;
}

}  // namespace

WorkCounts count_work(Model& model, const std::string& backend) {
  const bool integer_backend = backend == "int8";
  const SparseWork sparse = backend == "sparse" ? sparse_work(model) : SparseWork{};
  const std::vector<Shape> outputs = model.output_shapes(1);
  Shape input_shape = model.sample_shape();
  input_shape.insert(input_shape.begin(), 1);

  WorkCounts counts;
  std::vector<bool> int8_output(model.nodes().size(), false);
  double activation_bytes = static_cast<double>(shape_numel(input_shape)) * kFp32Bytes;
  for (size_t i = 0; i < model.nodes().size(); ++i) {
    const Node& node = model.nodes()[i];
    std::vector<Shape> input_shapes;
    for (int producer : node.inputs) {
      input_shapes.push_back(producer < 0 ? input_shape : outputs[static_cast<size_t>(producer)]);
    }
    const auto sparse_macs = sparse.macs.find(node.name);
    const double macs = sparse_macs != sparse.macs.end()
                            ? sparse_macs->second
                            : static_cast<double>(node.layer->macs(input_shapes));
    const std::string kind = node.layer->kind();
    const bool integer_gemm = integer_backend && (kind == "qlinear" || kind == "qconv2d");
    (integer_gemm ? counts.int8_macs : counts.fp32_macs) += macs;
    const bool first_int8 = !node.inputs.empty() && node.inputs[0] >= 0 &&
                            int8_output[static_cast<size_t>(node.inputs[0])];
    int8_output[i] = integer_backend && produces_int8(*node.layer, first_int8);
    activation_bytes +=
        static_cast<double>(shape_numel(outputs[i])) * (int8_output[i] ? kInt8Bytes : kFp32Bytes);
  }
  // The int8 backend holds weights as codes; the FP32 backends as decoded FP32.
  counts.dram_bytes =
      static_cast<double>(integer_backend ? stored_bytes(model) : fp32_bytes(model)) -
      sparse.bytes_saved;
  counts.sram_bytes = 2.0 * activation_bytes;  // written once, read once
  return counts;
}

}  // namespace slim
