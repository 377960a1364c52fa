#include "kernels/int8/quantized_conv2d_op.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "core/error.h"
#include "core/gemm.h"
#include "kernels/int8/grid_check.h"
#include "kernels/int8/im2row_s8.h"
#include "kernels/int8/pooling_s8.h"
#include "kernels/int8/quantize_op.h"
#include "kernels/int8/relu_s8.h"
#include "kernels/ops/op.h"

namespace slim {

namespace {

constexpr std::string_view kConvPathVariable = "SLIMBENCH_INT8_CONV";

bool im2row_forced() {
  const char* value = std::getenv(kConvPathVariable.data());
  if (value == nullptr || *value == '\0' || std::string_view(value) == "auto") return false;
  if (std::string_view(value) == "im2row") return true;
  fail("unknown {}={}; valid choices: auto, im2row", kConvPathVariable, value);
}

// The GEMM choices beside which convolutions take the direct VNNI path. With amx, too: on
// a Xeon with AMX (2026-11-27, results/baselines/h200-spr/) the direct path was 2.2-8.0x
// faster than im2row + AMX on every zoo convolution, and lenet-5 ran 2.3-2.7x faster end to end;
// the Linear layers keep the AMX GEMM. A user who forces avx2 or scalar gets them alone.
bool direct_path_pairs_with(const GemmS8Kernel& gemm) {
  return gemm.name == "avx512_vnni" || gemm.name == "amx";
}

// What rules the direct path out for every layer here: the environment, the GEMM choice
// or the CPU. Empty when layers may take it.
std::string direct_path_unavailable_reason(const GemmS8Kernel& gemm) {
  if (im2row_forced()) return fmt::format("{}=im2row", kConvPathVariable);
  if (!direct_path_pairs_with(gemm)) {
    return fmt::format("the selected int8 GEMM is {}, not avx512_vnni or amx", gemm.name);
  }
  return DirectConvS8Vnni::cpu_unavailable_reason();
}

}  // namespace

std::string direct_conv_unused_reason(const QuantizedWeight& weight, const QuantScheme& scheme,
                                      const GemmS8Kernel& gemm) {
  if (std::string reason = direct_path_unavailable_reason(gemm); !reason.empty()) return reason;
  if (!scheme.is_static()) return "dynamic quantization";
  return DirectConvS8Vnni::weight_unsupported_reason(weight);
}

std::string int8_conv_path_description(const GemmS8Kernel& gemm) {
  if (std::string reason = direct_path_unavailable_reason(gemm); !reason.empty()) {
    return fmt::format("im2row + int8 GEMM (direct VNNI: {})", reason);
  }
  return "direct AVX-512 VNNI (pixels in lanes, VBMI packing) for static layers with symmetric "
         "per-tensor, per-channel or per-group (groups of 4k codes) weights, a following ReLU and "
         "2x2 max pool fused in; else im2row + int8 GEMM";
}

QuantizedConv2dOp::QuantizedConv2dOp(const QuantizedConv2d& layer, const GemmS8Kernel& gemm,
                                     ConvPath path, ConvFusion fusion)
    : options_(layer.options()),
      scheme_(layer.scheme()),
      fusion_(fusion),
      gemm_(layer.weight(), layer.bias(), layer.scheme(), gemm) {
  if ((fusion.relu || fusion.max_pool_2x2) && !scheme_.is_static()) {
    throw std::logic_error("qconv2d op: only the static scheme fuses a ReLU or a pool");
  }
  if (path == ConvPath::kAuto && direct_conv_unused_reason(layer.weight(), scheme_, gemm).empty()) {
    const StaticRequantizer requantizer(layer.weight(), layer.bias(), *scheme_.fixed);
    direct_ = make_direct(layer.weight(), requantizer, /*pool_2x2=*/false);
    if (fusion.max_pool_2x2) {
      pooling_direct_ = make_direct(layer.weight(), requantizer, /*pool_2x2=*/true);
    }
  }
}

std::unique_ptr<DirectConvS8Vnni> QuantizedConv2dOp::make_direct(
    const QuantizedWeight& weight, const StaticRequantizer& requantizer, bool pool_2x2) const {
  const int32_t input_zero_point = scheme_.fixed->input.zero_point;
  const int32_t qmin = output_grid().qmin;  // the fused ReLU's clamp, when there is one
  if (requantizer.groups() > 1) {
    GroupedRequantization constants = requantizer.grouped_constants();
    constants.qmin = qmin;
    return std::make_unique<DirectConvS8Vnni>(weight, constants, input_zero_point, pool_2x2);
  }
  RowRequantization constants = requantizer.row_constants();
  constants.qmin = qmin;
  return std::make_unique<DirectConvS8Vnni>(weight, constants, input_zero_point, pool_2x2);
}

ActivationQuant QuantizedConv2dOp::output_grid() const {
  const ActivationQuant& grid = scheme_.fixed->output;
  return fusion_.relu ? grid.with_relu() : grid;
}

bool QuantizedConv2dOp::runs_direct(const Shape& input) const {
  return direct_ && direct_->geometry_unsupported_reason(geometry(input)).empty();
}

bool QuantizedConv2dOp::pools_in_direct_kernel(const Shape& input) const {
  return pooling_direct_ && pooling_direct_->geometry_unsupported_reason(geometry(input)).empty();
}

ConvGeometry QuantizedConv2dOp::geometry(const Shape& input) const {
  if (input.size() != 4 || input[1] != options_.in_channels) {
    throw std::logic_error(fmt::format("qconv2d op: expected input [N, {}, H, W], got {}",
                                       options_.in_channels, shape_to_string(input)));
  }
  const ConvGeometry g{input[0],
                       input[1],
                       input[2],
                       input[3],
                       options_.kernel_size,
                       options_.kernel_size,
                       options_.stride,
                       options_.padding};
  if (g.out_height() <= 0 || g.out_width() <= 0) {
    throw std::logic_error(
        fmt::format("qconv2d op: input {} is smaller than the kernel", shape_to_string(input)));
  }
  return g;
}

void QuantizedConv2dOp::build_rows(const ConvGeometry& g, const int8_t* image, int32_t zero_point) {
  rows_.resize(static_cast<size_t>(g.col_cols() * g.col_rows()));
  im2row_s8(g, image, static_cast<int8_t>(zero_point), rows_.data());
}

// Images per pass of the static path: about kChunkRows GEMM rows per thread, so that a
// pass's im2row rows and int32 accumulators stay in L2 between the GEMM that writes them
// and the requantization that reads them (at batch 256, lenet-5's conv1 would otherwise
// write 12 MB of accumulators and read them back from L3).
int64_t QuantizedConv2dOp::images_per_pass(int64_t pixels) {
  constexpr int64_t kChunkRows = 2048;
  return std::max<int64_t>(1, kChunkRows * num_threads() / pixels);
}

void QuantizedConv2dOp::run(const Int8Tensor& input, Int8Tensor& output) {
  if (!scheme_.is_static()) throw std::logic_error("qconv2d op: int8 input to a dynamic layer");
  const ConvGeometry g = geometry(input.shape);
  check_codes_fit_grid(input.quant, scheme_.fixed->input, "qconv2d");
  if (pooling_direct_ && pooling_direct_->geometry_unsupported_reason(g).empty()) {
    output.resize({g.batch, options_.out_channels, g.out_height() / 2, g.out_width() / 2});
    output.quant = output_grid();
    pooling_direct_->run(g, input.data(), output.data());
    return;
  }
  if (!fusion_.max_pool_2x2) return run_convolution(g, input, output);
  run_convolution(g, input, before_pool_);
  maxpool2d_s8(PoolOptions{2, 2, 0}, before_pool_, output);
}

void QuantizedConv2dOp::run_convolution(const ConvGeometry& g, const Int8Tensor& input,
                                        Int8Tensor& output) {
  if (direct_ && direct_->geometry_unsupported_reason(g).empty()) {
    output.resize({g.batch, options_.out_channels, g.out_height(), g.out_width()});
    output.quant = output_grid();
    direct_->run(g, input.data(), output.data());
    return;
  }
  if (!fusion_.relu) return run_im2row(g, input, output);
  run_im2row(g, input, before_relu_);
  relu_s8(before_relu_, output);
}

void QuantizedConv2dOp::run_im2row(const ConvGeometry& g, const Int8Tensor& input,
                                   Int8Tensor& output) {
  output.resize({g.batch, options_.out_channels, g.out_height(), g.out_width()});
  output.quant = scheme_.fixed->output;
  const int64_t pixels = g.out_height() * g.out_width();
  const int64_t image_in = g.channels * g.height * g.width;
  const int64_t image_out = options_.out_channels * pixels;
  const int64_t step = images_per_pass(pixels);
  for (int64_t first = 0; first < g.batch; first += step) {
    ConvGeometry part = g;
    part.batch = std::min(step, g.batch - first);
    build_rows(part, input.data() + first * image_in, scheme_.fixed->input.zero_point);
    gemm_.run_static(rows_.data(), part.col_cols(), pixels, output.data() + first * image_out);
  }
}

void QuantizedConv2dOp::run(const Tensor& input, Tensor& output) {
  if (scheme_.is_static()) throw std::logic_error("qconv2d op: FP32 input to a static layer");
  const ConvGeometry g = geometry(input.shape());
  const ActivationQuant grid =
      dynamic_input_quant(input.values(), scheme_.dynamic_range, scheme_.dynamic_rounding);
  dynamic_codes_.resize(static_cast<size_t>(input.numel()));
  quantize_values(input.values(), grid, dynamic_codes_);
  build_rows(g, dynamic_codes_.data(), grid.zero_point);
  ensure_shape(output, {g.batch, options_.out_channels, g.out_height(), g.out_width()});
  gemm_.run_dynamic(rows_.data(), g.col_cols(), g.out_height() * g.out_width(), grid,
                    output.data());
}

}  // namespace slim
