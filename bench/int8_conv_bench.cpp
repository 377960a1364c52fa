// Whole convolutions of the zoo at batch 1 and 256 on one thread: the static int8
// convolution on its direct VNNI path (kernels/int8/conv2d_s8_vnni.h) and on the im2row
// path with the selected int8 GEMM, beside the FP32 convolution on OpenBLAS (im2col +
// SGEMM + bias). Each times everything its layer does per run: packing or im2col, the
// products, requantization (int8) or the bias (FP32), and the NCHW stores.
//
//   build/bin/bench_int8_conv --benchmark_repetitions=10
//       --benchmark_out=conv.json --benchmark_out_format=json   (one command line)
//
// Names: conv/<path>/<model>/<node>@b<batch>/real_time, path one of int8_direct_vnni,
// int8_im2row_<variant>, fp32_openblas; for a convolution its model follows with a 2x2
// max pool, also int8_direct_vnni+pool and fp32_openblas+pool, the convolution with that
// pool fused in as the executors run it (the pool's work is in the time, not in the
// count). int8_direct_vnni+group32 (and +group32+pool): the direct path with 4-bit
// weights in groups of 32 along K, each group scaled apart. Counter: GOP/s, 2 * MACs per run over
// wall time (FP32 operations for fp32_openblas). Operands are not rotated through the cache: at
// batch 256 a layer's input and output already exceed L2, and at batch 1 the whole int8
// model fits in L2 in the end-to-end run as well. A path this CPU or geometry cannot
// take is listed on stderr with the reason and not registered.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_context.h"
#include "bench/injected_slowdown.h"
#include "bench/zoo_gemm_shapes.h"
#include "core/gemm.h"
#include "core/layers/conv2d.h"
#include "core/quant/quantized_conv2d.h"
#include "core/rng.h"
#include "kernels/cpu/gemm_openblas.h"
#include "kernels/int8/gemm_s8_kernel.h"
#include "kernels/int8/quantized_conv2d_op.h"
#include "kernels/ops/conv2d_op.h"

namespace {

constexpr int kThreads = 1;
constexpr std::array<int64_t, 2> kBatches = {1, 256};

using slim::bench::ZooConv;

// The weights' form: W8 per channel (static_ptq's default), or 4-bit codes in groups of
// 32 along K (granularity per_group, group_size 32, weight_bits 4), whose tiles scale each
// group's sums apart.
struct WeightForm {
  int bits = 8;
  int64_t group_size = 0;  // 0: per channel
};
constexpr WeightForm kPerChannel{};
constexpr WeightForm kGroups32{.bits = 4, .group_size = 32};

// Symmetric codes over the whole range of `form`'s bits, as static_ptq produces them.
std::shared_ptr<const slim::QuantizedWeight> random_weight(const ZooConv& conv,
                                                           const WeightForm& form, slim::Rng& rng) {
  const slim::Conv2dOptions& o = conv.options;
  const int64_t depth = o.in_channels * o.kernel_size * o.kernel_size;
  const int64_t group_size = form.group_size > 0 ? form.group_size : depth;
  const int64_t groups = (depth + group_size - 1) / group_size;
  const int levels = 1 << form.bits;
  std::vector<int8_t> codes(static_cast<size_t>(o.out_channels * depth));
  for (int8_t& c : codes) c = static_cast<int8_t>(static_cast<int>(rng.below(levels)) - levels / 2);
  return std::make_shared<slim::QuantizedWeight>(
      slim::QuantRange{.bits = form.bits, .is_signed = true, .narrow = false},
      form.group_size > 0 ? slim::Granularity::kPerGroup : slim::Granularity::kPerChannel,
      o.out_channels, depth, group_size, std::move(codes),
      std::vector<float>(static_cast<size_t>(o.out_channels * groups), 0.01f),
      std::vector<int32_t>(static_cast<size_t>(o.out_channels * groups), 0));
}

slim::QuantizedConv2d quantized_layer(const ZooConv& conv, const WeightForm& form) {
  slim::Rng rng(7);
  const slim::StaticScheme scheme{
      .input = slim::ActivationQuant{.scale = 0.05f, .zero_point = -3},
      .output = slim::ActivationQuant{.scale = 0.5f, .zero_point = 0}.with_relu(),
      .fused_relu = true};
  std::vector<float> bias(static_cast<size_t>(conv.options.out_channels));
  for (float& b : bias) b = rng.normal(0.0f, 0.1f);
  return slim::QuantizedConv2d(conv.options, random_weight(conv, form, rng), bias,
                               slim::QuantScheme{.fixed = scheme});
}

slim::Int8Tensor random_input(const ZooConv& conv) {
  slim::Rng rng(11);
  slim::Int8Tensor x;
  x.resize(conv.input);
  x.quant = slim::ActivationQuant{.scale = 0.05f, .zero_point = -3};
  for (int8_t& c : x.codes) c = static_cast<int8_t>(static_cast<int>(rng.below(256)) - 128);
  return x;
}

void set_ops_counter(benchmark::State& state, const ZooConv& conv) {
  state.counters["GOP/s"] = benchmark::Counter(2.0 * static_cast<double>(conv.macs()) * 1e-9,
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void int8_benchmark(benchmark::State& state, const ZooConv& conv, slim::ConvPath path, bool pool,
                    WeightForm form) {
  const slim::QuantizedConv2d layer = quantized_layer(conv, form);
  slim::QuantizedConv2dOp op(layer, slim::selected_gemm_s8_kernel(), path,
                             slim::ConvFusion{.max_pool_2x2 = pool});
  const slim::Int8Tensor x = random_input(conv);
  slim::Int8Tensor y;
  const double slowdown = slim::bench::injected_slowdown();
  for (auto _ : state) {
    slim::bench::run_with_slowdown(slowdown, [&] { op.run(x, y); });
    benchmark::DoNotOptimize(y.codes.data());
    benchmark::ClobberMemory();
  }
  set_ops_counter(state, conv);
}

void fp32_benchmark(benchmark::State& state, const ZooConv& conv, bool pool) {
  slim::Conv2d layer(conv.options);
  slim::Rng rng(13);
  for (float& w : layer.weight().value.values()) w = rng.normal(0.0f, 0.1f);
  slim::Conv2dOp op(layer, slim::gemm_openblas);
  if (pool) op.fuse_max_pool_2x2();
  slim::Tensor x(conv.input);
  for (float& v : x.values()) v = rng.normal(0.0f, 1.0f);
  const slim::Tensor* inputs[1] = {&x};
  slim::Tensor y;
  const double slowdown = slim::bench::injected_slowdown();
  for (auto _ : state) {
    slim::bench::run_with_slowdown(slowdown, [&] { op.run(inputs, y); });
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_ops_counter(state, conv);
}

void register_conv(const ZooConv& conv) {
  const std::string selected(slim::selected_gemm_s8_kernel().name);
  const slim::QuantizedConv2d layer = quantized_layer(conv, kPerChannel);
  const std::string reason = slim::direct_conv_unused_reason(layer.weight(), layer.scheme(),
                                                             slim::selected_gemm_s8_kernel());
  const auto add = [&](const std::string& path, auto function, auto... args) {
    benchmark::RegisterBenchmark(("conv/" + path + "/" + conv.name).c_str(), function, conv,
                                 args...)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  };
  slim::QuantizedConv2dOp probe(layer, slim::selected_gemm_s8_kernel());
  if (probe.runs_direct(conv.input)) {
    add("int8_direct_vnni", int8_benchmark, slim::ConvPath::kAuto, false, kPerChannel);
  } else {
    std::cerr << "conv/int8_direct_vnni/" << conv.name << " not run: "
              << (reason.empty() ? "the packer does not support this geometry" : reason) << '\n';
  }
  add("int8_im2row_" + selected, int8_benchmark, slim::ConvPath::kIm2row, false, kPerChannel);
  add("fp32_openblas", fp32_benchmark, false);
  // Per-group weights on the direct path, where it takes them.
  const slim::QuantizedConv2d grouped = quantized_layer(conv, kGroups32);
  slim::QuantizedConv2dOp grouped_probe(grouped, slim::selected_gemm_s8_kernel());
  const bool grouped_direct = grouped_probe.runs_direct(conv.input);
  if (grouped_direct) {
    add("int8_direct_vnni+group32", int8_benchmark, slim::ConvPath::kAuto, false, kGroups32);
  }
  if (!conv.pooled) return;
  slim::QuantizedConv2dOp pooling(layer, slim::selected_gemm_s8_kernel(), slim::ConvPath::kAuto,
                                  slim::ConvFusion{.max_pool_2x2 = true});
  if (pooling.pools_in_direct_kernel(conv.input)) {
    add("int8_direct_vnni+pool", int8_benchmark, slim::ConvPath::kAuto, true, kPerChannel);
    if (grouped_direct) {
      add("int8_direct_vnni+group32+pool", int8_benchmark, slim::ConvPath::kAuto, true, kGroups32);
    }
  }
  add("fp32_openblas+pool", fp32_benchmark, true);
}

}  // namespace

int main(int argc, char** argv) {
  slim::set_num_threads(kThreads);
  for (const int64_t batch : kBatches) {
    for (const ZooConv& conv : slim::bench::zoo_convolutions(batch)) register_conv(conv);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  slim::bench::add_bench_context(kThreads);
  benchmark::AddCustomContext("int8_selected_variant",
                              std::string(slim::selected_gemm_s8_kernel().name));
  benchmark::AddCustomContext("int8_conv_path",
                              slim::int8_conv_path_description(slim::selected_gemm_s8_kernel()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
