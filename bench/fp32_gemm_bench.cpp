// FP32 GEMM speed of the three FP32 inference backends' GEMMs (kernels/gemm_function.h):
// reference, eigen and openblas, on one thread, on every zoo GEMM shape at batch 1 and
// 256 (bench/zoo_gemm_shapes.h) and on squares from 64 to 2048.
//
//   build/bin/bench_fp32_gemm --benchmark_repetitions=10
//       --benchmark_out=fp32.json --benchmark_out_format=json
//   build/bin/slimbench bench-compare BASELINE.json fp32.json
//
// Names: fp32_gemm/<backend>/<shape>/real_time, e.g. fp32_gemm/openblas/lenet-5/fc1@b1.
// Counters: GFLOP/s (2mnk per call, over wall time), copies (operand sets rotated
// through, bench/operand_rotation.h) and working_set_MiB (their total size).
// The reference GEMM runs only up to 256^3 multiply-adds: beyond that it takes seconds per
// repetition and says nothing new. SLIMBENCH_BENCH_INJECT_SLOWDOWN is a test hook
// (bench/injected_slowdown.h).
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_context.h"
#include "bench/injected_slowdown.h"
#include "bench/operand_rotation.h"
#include "bench/zoo_gemm_shapes.h"
#include "core/aligned_allocator.h"
#include "core/gemm.h"
#include "kernels/cpu/gemm_eigen.h"
#include "kernels/cpu/gemm_openblas.h"
#include "kernels/gemm_function.h"
#include "kernels/reference/gemm_reference.h"

namespace {

using slim::bench::GemmShape;

constexpr int kThreads = 1;
constexpr std::array<int64_t, 2> kZooBatches = {1, 256};

struct Fp32Backend {
  std::string_view name;
  slim::GemmFunction gemm;
  int64_t max_macs;  // larger shapes are not registered
};

constexpr int64_t kUnlimited = INT64_MAX;
constexpr std::array<Fp32Backend, 3> kBackends = {{
    {"reference", slim::gemm_reference, int64_t{256} * 256 * 256},
    {"eigen", slim::gemm_eigen, kUnlimited},
    {"openblas", slim::gemm_openblas, kUnlimited},
}};

// Aligned like slim::Tensor's storage, which is what the executors hand their GEMMs.
using FloatBuffer = std::vector<float, slim::AlignedAllocator<float, 64>>;

struct Fp32Operands {
  FloatBuffer a, b, c;
};

// Values in [-1, 1) from a 64-bit LCG: cheap enough to fill hundreds of MiB, and never
// denormal or zero-heavy, which would change the speed of some kernels.
void fill(FloatBuffer& buffer, uint64_t seed) {
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float& value : buffer) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    value = static_cast<float>(static_cast<double>(state >> 40) / double(1 << 23) - 1.0);
  }
}

Fp32Operands make_operands(const GemmShape& shape, int64_t copy) {
  Fp32Operands operands{FloatBuffer(static_cast<size_t>(shape.m * shape.k)),
                        FloatBuffer(static_cast<size_t>(shape.k * shape.n)),
                        FloatBuffer(static_cast<size_t>(shape.m * shape.n))};
  fill(operands.a, 2 * static_cast<uint64_t>(copy));
  fill(operands.b, 2 * static_cast<uint64_t>(copy) + 1);
  return operands;
}

using Rotation = slim::bench::OperandRotation<Fp32Operands>;

// Google Benchmark calls a benchmark function once per repetition (and more to find the
// iteration count), and the backends of a shape run one after another; building up to
// 2 x LLC of operands each time would cost more than the measurement, so the last
// rotation is kept and reused while the shape stays the same.
std::shared_ptr<Rotation> rotation_for(const GemmShape& shape, int64_t copies) {
  static std::string cached_name;
  static std::shared_ptr<Rotation> cached;
  if (cached && cached_name == shape.name && cached->count() == copies) return cached;
  cached.reset();  // free the old copies before allocating the new ones
  cached = std::make_shared<Rotation>(
      copies, [&shape](int64_t copy) { return make_operands(shape, copy); });
  cached_name = shape.name;
  return cached;
}

void gemm_benchmark(benchmark::State& state, slim::GemmFunction gemm, const GemmShape& shape,
                    int64_t workload_bytes) {
  const int64_t copy_bytes = slim::bench::gemm_operand_bytes(shape);
  const int64_t copies = slim::bench::rotation_copies(copy_bytes, workload_bytes,
                                                      slim::bench::last_level_cache_bytes());
  const std::shared_ptr<Rotation> rotation = rotation_for(shape, copies);
  const double slowdown = slim::bench::injected_slowdown();
  // Timed here rather than with a kIsRate counter, whose console column would read
  // "GFLOP/s=12.3/s"; the loop's own bookkeeping is a few ns per call.
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    Fp32Operands& operands = rotation->next();
    slim::bench::run_with_slowdown(slowdown, [&] {
      gemm(shape.m, shape.n, shape.k, operands.a.data(), operands.b.data(), operands.c.data());
    });
    benchmark::DoNotOptimize(operands.c.data());
    benchmark::ClobberMemory();
  }
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  state.counters["GFLOP/s"] = slim::bench::gemm_flops(shape) *
                              static_cast<double>(state.iterations()) / seconds.count() * 1e-9;
  state.counters["copies"] = static_cast<double>(copies);
  state.counters["working_set_MiB"] = static_cast<double>(copies * copy_bytes) / (1 << 20);
}

void register_shape(const GemmShape& shape, int64_t workload_bytes) {
  for (const Fp32Backend& backend : kBackends) {
    if (shape.m * shape.n * shape.k > backend.max_macs) continue;
    const std::string name = "fp32_gemm/" + std::string(backend.name) + "/" + shape.name;
    benchmark::RegisterBenchmark(name.c_str(), gemm_benchmark, backend.gemm, shape, workload_bytes)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

void register_benchmarks() {
  for (const int64_t batch : kZooBatches) {
    for (const slim::bench::ZooGemm& gemm : slim::bench::zoo_gemms(batch)) {
      register_shape(gemm.shape, gemm.model_forward_bytes);
    }
  }
  // A standalone GEMM is its own whole workload: no rotation.
  for (const GemmShape& shape : slim::bench::square_gemm_shapes()) register_shape(shape, 0);
}

}  // namespace

int main(int argc, char** argv) {
  slim::set_num_threads(kThreads);  // OpenMP (Eigen) and OpenBLAS both on one thread
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  slim::bench::add_bench_context(kThreads);
  benchmark::AddCustomContext("last_level_cache_bytes",
                              std::to_string(slim::bench::last_level_cache_bytes()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
