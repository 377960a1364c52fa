// GPU GEMM speed: cuBLAS FP32, TF32 and FP16 (FP32 accumulation and output), and int8 ->
// int32 through cuBLASLt (IMMA) and through our dp4a kernel (kernels/cuda/cuda_gemm.h),
// on operands already in device memory, on squares from 256 to 4096 and on a few zoo
// GEMMs (Linear layers at batch 1 and 256, lenet-5's conv2 at batch 256).
//
//   build/bin/bench_cuda_gemm --benchmark_min_time=0.1
//       --benchmark_out=cuda.json --benchmark_out_format=json   (one command line)
//
// Names: cuda_gemm/<variant>/<shape>/manual_time, variant in fp32, tf32, fp16,
// int8_cublaslt, int8_dp4a; e.g. cuda_gemm/tf32/square/4096, cuda_gemm/fp16/lenet-5/fc1@b1.
// Time: CUDA events around each iteration (UseManualTime), i.e. GPU time. An iteration
// runs `gemms_per_iter` GEMMs back to back so that small ones are timed over more than
// the events' half-microsecond resolution; for those, host launch overhead between
// kernels shows up as GPU idle time, as it would in a real run.
// Counters: GFLOP/s (float) or GOP/s (int8), 2*M*N*K per GEMM over the event time;
// gemms_per_iter; with a readable NVML counter also J_per_gemm and W: the whole board's
// energy over the timed loop's wall time (synchronisation gaps and idle power included,
// so an upper bound per GEMM, and coarse: NVML's counter advances every few tens of
// milliseconds). The label says which energy source was used.
// cuBLASLt refuses shapes whose N or K is not a multiple of 4 (reported as an error row).
// Without a CUDA device the program says why and exits 0 with nothing run.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_context.h"
#include "core/rng.h"
#include "kernels/cuda/cuda_device.h"
#include "kernels/cuda/cuda_event_timer.h"
#include "kernels/cuda/cuda_gemm.h"
#include "kernels/cuda/device_buffer.h"
#include "kernels/cuda/fp16_convert.h"
#include "kernels/cuda/nvml_meter.h"

namespace {

struct CudaGemmShape {
  std::string name;
  int64_t m, n, k;
  double ops() const {
    return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  }
};

// Zoo GEMMs as kernels/ops lowers them (Linear: M = batch, N = out, K = in; Conv2d:
// M = out channels, N = batch * output pixels, K = in channels * kernel area).
std::vector<CudaGemmShape> benchmark_shapes() {
  std::vector<CudaGemmShape> shapes;
  for (const int64_t size : {256, 512, 1024, 2048, 4096}) {
    shapes.push_back({fmt::format("square/{}", size), size, size, size});
  }
  for (const int64_t batch : {1, 256}) {
    shapes.push_back({fmt::format("lenet-5/fc1@b{}", batch), batch, 500, 800});
    shapes.push_back({fmt::format("lenet-300-100/fc1@b{}", batch), batch, 300, 784});
    shapes.push_back({fmt::format("lenet-300-100/fc2@b{}", batch), batch, 100, 300});
  }
  shapes.push_back({"lenet-5/conv2@b256", 50, 256 * 8 * 8, 20 * 5 * 5});
  return shapes;
}

// Device operands for one shape, made on first use and shared by the variants that
// read the same element type; only the current shape's are kept.
struct DeviceOperands {
  std::string shape_name;
  slim::DeviceArray<float> a, b, c;              // FP32 and TF32
  slim::DeviceArray<slim::Fp16> a_fp16, b_fp16;  // FP16 inputs, converted from a, b
  slim::DeviceArray<int8_t> a_s8, b_s8;          // int8: A [M, K], B [N, K]
  slim::DeviceArray<int32_t> c_s32;
};

std::unique_ptr<DeviceOperands> current_operands;  // released at the end of main()

template <typename T, typename Draw>
slim::DeviceArray<T> random_device_array(int64_t count, uint64_t seed, Draw draw) {
  slim::Rng rng(seed);
  std::vector<T> host(static_cast<std::size_t>(count));
  for (T& value : host) value = draw(rng);
  return slim::DeviceArray<T>(std::span<const T>(host));
}

DeviceOperands& operands_for(const CudaGemmShape& shape) {
  if (current_operands && current_operands->shape_name == shape.name) return *current_operands;
  current_operands.reset();  // free the previous shape's memory first
  auto operands = std::make_unique<DeviceOperands>();
  operands->shape_name = shape.name;
  const auto uniform = [](slim::Rng& rng) { return rng.uniform(-1.0f, 1.0f); };
  const auto byte = [](slim::Rng& rng) {
    return static_cast<int8_t>(static_cast<int>(rng.below(256)) - 128);
  };
  operands->a = random_device_array<float>(shape.m * shape.k, 1, uniform);
  operands->b = random_device_array<float>(shape.k * shape.n, 2, uniform);
  operands->c = slim::DeviceArray<float>(static_cast<std::size_t>(shape.m * shape.n));
  operands->a_fp16 = slim::DeviceArray<slim::Fp16>(operands->a.size());
  operands->b_fp16 = slim::DeviceArray<slim::Fp16>(operands->b.size());
  slim::cuda_convert_to_fp16(operands->a.data(), operands->a_fp16.data(), operands->a.size());
  slim::cuda_convert_to_fp16(operands->b.data(), operands->b_fp16.data(), operands->b.size());
  operands->a_s8 = random_device_array<int8_t>(shape.m * shape.k, 3, byte);
  operands->b_s8 = random_device_array<int8_t>(shape.n * shape.k, 4, byte);
  operands->c_s32 = slim::DeviceArray<int32_t>(static_cast<std::size_t>(shape.m * shape.n));
  slim::cuda_synchronize();
  current_operands = std::move(operands);
  return *current_operands;
}

struct Variant {
  std::string_view name;
  std::string_view rate_counter;  // "GFLOP/s" or "GOP/s"
  void (*run)(const CudaGemmShape& shape, DeviceOperands& operands);
};

constexpr std::array<Variant, 5> kVariants = {{
    {"fp32", "GFLOP/s",
     [](const CudaGemmShape& s, DeviceOperands& o) {
       slim::cuda_gemm_fp32(s.m, s.n, s.k, o.a.data(), o.b.data(), o.c.data());
     }},
    {"tf32", "GFLOP/s",
     [](const CudaGemmShape& s, DeviceOperands& o) {
       slim::cuda_gemm_tf32(s.m, s.n, s.k, o.a.data(), o.b.data(), o.c.data());
     }},
    {"fp16", "GFLOP/s",
     [](const CudaGemmShape& s, DeviceOperands& o) {
       slim::cuda_gemm_fp16(s.m, s.n, s.k, o.a_fp16.data(), o.b_fp16.data(), o.c.data());
     }},
    {"int8_cublaslt", "GOP/s",
     [](const CudaGemmShape& s, DeviceOperands& o) {
       slim::cuda_gemm_s8_cublaslt(s.m, s.n, s.k, o.a_s8.data(), o.b_s8.data(), o.c_s32.data());
     }},
    {"int8_dp4a", "GOP/s",
     [](const CudaGemmShape& s, DeviceOperands& o) {
       slim::cuda_gemm_s8_dp4a(s.m, s.n, s.k, o.a_s8.data(), o.b_s8.data(), o.c_s32.data());
     }},
}};

// Enough GEMMs per timed iteration for about 2^28 operations, at most 64.
int gemms_per_iteration(const CudaGemmShape& shape) {
  constexpr double kTargetOps = 268435456.0;
  const double wanted = kTargetOps / shape.ops();
  return wanted >= 64.0 ? 64 : (wanted <= 1.0 ? 1 : static_cast<int>(wanted));
}

// The GPU's NVML energy counter, opened once for the whole run.
struct GpuEnergy {
  std::string why_unavailable;
  std::unique_ptr<slim::EnergyMeter> meter;
};

GpuEnergy& gpu_energy() {
  static GpuEnergy energy = [] {
    GpuEnergy opened;
    opened.meter = slim::open_nvml_meter(0, &opened.why_unavailable);
    return opened;
  }();
  return energy;
}

void time_gemm(benchmark::State& state, const Variant& variant, const CudaGemmShape& shape) {
  try {
    DeviceOperands& operands = operands_for(shape);
    const int per_iteration = gemms_per_iteration(shape);
    variant.run(shape, operands);  // untimed: creates handles and plans, wakes the clocks
    slim::cuda_synchronize();
    slim::CudaEventTimer timer;
    slim::EnergyMeter* meter = gpu_energy().meter.get();
    double gpu_seconds = 0.0;
    const double joules_before = meter ? meter->joules() : 0.0;
    const auto wall_start = std::chrono::steady_clock::now();
    for (auto _ : state) {
      timer.start();
      for (int i = 0; i < per_iteration; ++i) variant.run(shape, operands);
      const double seconds = timer.stop_seconds();
      state.SetIterationTime(seconds);
      gpu_seconds += seconds;
    }
    const double wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    const double gemms = static_cast<double>(state.iterations()) * per_iteration;
    state.counters[std::string(variant.rate_counter)] = shape.ops() * gemms / gpu_seconds * 1e-9;
    state.counters["gemms_per_iter"] = per_iteration;
    if (meter != nullptr) {
      const double joules = meter->joules() - joules_before;
      state.counters["J_per_gemm"] = joules / gemms;
      state.counters["W"] = joules / wall_seconds;
      state.SetLabel("energy: nvml");
    } else {
      state.SetLabel("energy: unavailable");
    }
  } catch (const std::exception& error) {
    state.SkipWithError(error.what());
  }
}

void register_benchmarks() {
  // Shape-major, so each shape's operands are made once and shared by all variants.
  for (const CudaGemmShape& shape : benchmark_shapes()) {
    for (const Variant& variant : kVariants) {
      benchmark::RegisterBenchmark(
          fmt::format("cuda_gemm/{}/{}", variant.name, shape.name).c_str(),
          [&variant, shape](benchmark::State& state) { time_gemm(state, variant, shape); })
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

void add_gpu_context() {
  const std::vector<slim::CudaDeviceInfo> devices = slim::cuda_devices();
  benchmark::AddCustomContext("gpu", slim::describe(devices.front()));
  const GpuEnergy& energy = gpu_energy();
  benchmark::AddCustomContext("gpu_energy_source", energy.meter
                                                       ? std::string(slim::kNvmlEnergySource)
                                                       : "none: " + energy.why_unavailable);
  if (!energy.meter) {
    fmt::print(stderr, "bench_cuda_gemm: no GPU energy counter: {}\n", energy.why_unavailable);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const slim::CudaAvailability availability = slim::cuda_availability();
  if (availability.device_count == 0) {
    fmt::print("bench_cuda_gemm: no CUDA device, nothing to measure: {}\n", availability.reason);
    return 0;
  }
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  slim::bench::add_bench_context(1);  // one host thread launches every GEMM
  add_gpu_context();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // Device memory and NVML go back while the CUDA runtime and NVML are surely alive.
  current_operands.reset();
  gpu_energy().meter.reset();
  return 0;
}
